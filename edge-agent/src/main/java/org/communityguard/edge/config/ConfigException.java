package org.communityguard.edge.config;

/** A configuration problem, with a message that names the setting and says how to fix it. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
