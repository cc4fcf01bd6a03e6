package org.communityguard.edge.device;

/**
 * Why the gateway refused a device message: the one rejection vocabulary of the edge agent.
 *
 * <p>The wire names are stable: they are the {@code reason} tag of
 * {@code edge_readings_rejected_total} and the {@code error} field of the JSON published on
 * {@code devices/{id}/error}, so devices, dashboards and alerts may depend on them. Add reasons,
 * never rename one. How each reason is answered per transport is decided in
 * {@link RejectionAnswers} and nowhere else.
 */
public enum RejectReason {
    MALFORMED("malformed", "payload is not a well-formed JSON/CBOR object"),
    UNSUPPORTED_FORMAT("unsupported_format", "content format must be application/json (50) or application/cbor (60)"),
    TOO_LARGE("too_large", "payload over the size limit"),
    BAD_DEVICE_ID("bad_device_id", "device id must be 1 to 64 of A-Z a-z 0-9 . _ -"),
    BAD_VERSION("bad_version", "v must be 1"),
    UNKNOWN_TYPE("unknown_type", "type must be lamp_post, manhole, smoke_detector or door_access"),
    TYPE_MISMATCH("type_mismatch", "type differs from the type the device is provisioned with"),
    MISSING_FIELD("missing_field", "a required field is missing"),
    BAD_FIELD("bad_field", "a field has the wrong JSON type or is outside its range"),
    UNKNOWN_EVENT("unknown_event", "data.event is not an event of this device type"),
    BAD_TEXT("bad_text", "a string or key holds U+0000 or an unpaired surrogate, which cannot be stored"),
    BAD_NUMBER("bad_number", "a number is NaN or infinite, which JSON cannot carry"),
    TOO_DEEP("too_deep", "objects and arrays are nested more than 32 levels, deeper than the hub stores"),
    NOT_AUTHORIZED("not_authorized", "the sender may not speak as this device"),
    OVERLOADED("overloaded", "the gateway cannot take readings now; retry later");

    private final String wireName;
    private final String description;

    RejectReason(String wireName, String description) {
        this.wireName = wireName;
        this.description = description;
    }

    public String wireName() {
        return wireName;
    }

    /** A short human diagnostic, used when a rejection has no more specific detail. */
    public String description() {
        return description;
    }
}
