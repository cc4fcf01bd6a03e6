package org.communityguard.hub.config;

import java.util.Locale;

/**
 * One configuration setting: key, type (with range and unit), default and a one-line
 * description, declared once in {@link HubSettings}. The same key is read from the YAML file
 * ({@code http.port}) and from the environment ({@code HUB_HTTP_PORT}); the environment wins.
 */
public record Setting<T>(String key, SettingType<T> type, T defaultValue, String description) {

    public String envName() {
        return "HUB_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
