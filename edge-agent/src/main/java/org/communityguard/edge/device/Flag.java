package org.communityguard.edge.device;

/** Reading flags of the uplink contract (docs/uplink.md). */
public enum Flag {
    /** The device clock and the gateway clock differ by more than five minutes. */
    CLOCK_SKEW("clock_skew"),
    /** The device is not in this gateway's site file. */
    UNPROVISIONED("unprovisioned"),
    /**
     * Nothing vouches for the sender of a message of a device that has a key: it came through a
     * broker that lets clients in without an account. Linkage does not act on it.
     */
    UNVERIFIED_SENDER("unverified_sender");

    private final String wireName;

    Flag(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
