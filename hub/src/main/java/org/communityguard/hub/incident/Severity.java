package org.communityguard.hub.incident;

import java.util.Locale;

/** How urgent an incident is; SLAs and escalation are per severity. */
public enum Severity {
    CRITICAL, MAJOR, MINOR, INFO;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
