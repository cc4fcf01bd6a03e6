package org.communityguard.edge.config;

import java.util.Locale;

/**
 * One configuration setting: key, type (with range and unit), default and a one-line
 * description, declared once in {@link EdgeSettings}. The same key is read from the YAML file
 * ({@code coap.port}) and from the environment ({@code EDGE_COAP_PORT}); the environment wins.
 */
public record Setting<T>(String key, SettingType<T> type, T defaultValue, String description) {

    public String envName() {
        return "EDGE_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
