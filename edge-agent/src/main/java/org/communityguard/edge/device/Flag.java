package org.communityguard.edge.device;

/** Reading flags of the uplink contract (docs/uplink.md). */
public enum Flag {
    /** The device clock and the gateway clock differ by more than five minutes. */
    CLOCK_SKEW("clock_skew"),
    /** The device is not in this gateway's site file. */
    UNPROVISIONED("unprovisioned");

    private final String wireName;

    Flag(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
