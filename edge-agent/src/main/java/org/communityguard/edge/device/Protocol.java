package org.communityguard.edge.device;

/** The transport a device message arrived over; the {@code protocol} tag of the ingest meters. */
public enum Protocol {
    MQTT("mqtt"),
    COAP("coap");

    private final String wireName;

    Protocol(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
