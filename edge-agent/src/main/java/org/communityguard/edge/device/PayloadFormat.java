package org.communityguard.edge.device;

/**
 * How a device message body is encoded, by its CoAP Content-Format number (RFC 7252 registry).
 * MQTT 3.1.1 carries no content type: its telemetry and event payloads are JSON by the profile,
 * its status payloads plain text.
 */
public enum PayloadFormat {
    TEXT(0),
    JSON(50),
    CBOR(60),
    /** Missing or not one the profile accepts: refused with {@code unsupported_format}. */
    UNSUPPORTED(-1);

    private final int contentFormat;

    PayloadFormat(int contentFormat) {
        this.contentFormat = contentFormat;
    }

    public int contentFormat() {
        return contentFormat;
    }

    /** The format of a CoAP request; {@code -1} (no Content-Format option) is {@link #UNSUPPORTED}. */
    public static PayloadFormat fromContentFormat(int contentFormat) {
        return switch (contentFormat) {
            case 0 -> TEXT;
            case 50 -> JSON;
            case 60 -> CBOR;
            default -> UNSUPPORTED;
        };
    }
}
