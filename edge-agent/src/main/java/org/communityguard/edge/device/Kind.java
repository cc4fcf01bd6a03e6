package org.communityguard.edge.device;

/** What a reading is, as named in the uplink contract (docs/uplink.md). */
public enum Kind {
    TELEMETRY("telemetry"),
    EVENT("event"),
    STATUS("status");

    private final String wireName;

    Kind(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
