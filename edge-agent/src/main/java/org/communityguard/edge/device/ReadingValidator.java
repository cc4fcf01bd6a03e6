package org.communityguard.edge.device;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a decoded device message against the device profile and builds the {@link Reading}.
 * Pure: no I/O, no clock (the receive time is an argument), no memory of earlier messages.
 *
 * <p>Order of checks, first failure wins: device id, {@code v}, {@code type}, provisioning,
 * {@code ts}, {@code seq}, {@code data}, then the fields of {@code data}. Unknown top-level
 * fields are ignored and unknown {@code data} fields kept, so devices of a later profile revision
 * still get through.
 */
public final class ReadingValidator {

    /** The profile's limit: device time and gateway time further apart than this are flagged. */
    public static final long CLOCK_SKEW_LIMIT_MS = Duration.ofMinutes(5).toMillis();
    public static final long MAX_SEQ = 0xFFFF_FFFFL;
    /** 9999-12-31T23:59:59.999Z: larger "epoch milliseconds" are garbage and would break storage. */
    public static final long MAX_TS = 253_402_300_799_999L;

    // Reading copies its flags with Set.copyOf, which keeps an immutable set as it is: no
    // per-reading allocation for flags.
    private static final Set<Flag> NO_FLAGS = Set.of();
    private static final Set<Flag> SKEW = Set.of(Flag.CLOCK_SKEW);
    private static final Set<Flag> UNPROVISIONED = Set.of(Flag.UNPROVISIONED);
    private static final Set<Flag> SKEW_UNPROVISIONED = Set.of(Flag.CLOCK_SKEW, Flag.UNPROVISIONED);

    private final DeviceProfile profile;
    private final Provisioning provisioning;

    public ReadingValidator(Provisioning provisioning) {
        this(DeviceProfile.V1, provisioning);
    }

    public ReadingValidator(DeviceProfile profile, Provisioning provisioning) {
        this.profile = profile;
        this.provisioning = provisioning;
    }

    /**
     * A telemetry or event message.
     *
     * @param kind       {@link Kind#TELEMETRY} or {@link Kind#EVENT}, from the topic or path
     * @param receivedAt gateway receive time, epoch milliseconds
     */
    public Checked<Reading> validate(String deviceId, Kind kind, ObjectNode message, long receivedAt) {
        if (kind == Kind.STATUS) {
            throw new IllegalArgumentException("status messages are plain text: use status()");
        }
        if (!DeviceIds.isValid(deviceId)) {
            return badDeviceId(deviceId);
        }
        JsonNode v = message.get("v");
        if (v == null) {
            return Checked.rejected(RejectReason.MISSING_FIELD, "v is required");
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() != 1) {
            return Checked.rejected(RejectReason.BAD_VERSION, "v must be 1, not " + DeviceProfile.describe(v));
        }
        JsonNode typeNode = message.get("type");
        if (typeNode == null) {
            return Checked.rejected(RejectReason.MISSING_FIELD, "type is required");
        }
        DeviceType type = typeNode.isTextual() ? DeviceType.fromWireName(typeNode.textValue()).orElse(null) : null;
        if (type == null) {
            return Checked.rejected(RejectReason.UNKNOWN_TYPE, DeviceProfile.describe(typeNode) + " is not a device type");
        }
        Optional<DeviceType> provisioned = provisioning.typeOf(deviceId);
        if (provisioned.isPresent() && provisioned.get() != type) {
            return Checked.rejected(RejectReason.TYPE_MISMATCH,
                    "device is provisioned as " + provisioned.get().wireName() + ", message says " + type.wireName());
        }
        JsonNode tsNode = message.get("ts");
        Long ts = null;
        if (tsNode != null && !tsNode.isNull()) {
            if (!tsNode.isIntegralNumber() || !tsNode.canConvertToLong() || tsNode.longValue() < 0 || tsNode.longValue() > MAX_TS) {
                return Checked.rejected(RejectReason.BAD_FIELD, "ts must be epoch milliseconds as an integer, not " + DeviceProfile.describe(tsNode));
            }
            ts = tsNode.longValue();
        }
        JsonNode seqNode = message.get("seq");
        Long seq = null;
        if (seqNode != null && !seqNode.isNull()) {
            if (!seqNode.isIntegralNumber() || !seqNode.canConvertToLong() || seqNode.longValue() < 0 || seqNode.longValue() > MAX_SEQ) {
                return Checked.rejected(RejectReason.BAD_FIELD, "seq must be an integer in 0..4294967295, not " + DeviceProfile.describe(seqNode));
            }
            seq = seqNode.longValue();
        }
        JsonNode dataNode = message.get("data");
        if (dataNode == null) {
            return Checked.rejected(RejectReason.MISSING_FIELD, "data is required");
        }
        if (!dataNode.isObject()) {
            return Checked.rejected(RejectReason.BAD_FIELD, "data must be an object, not " + DeviceProfile.describe(dataNode));
        }
        ObjectNode data = (ObjectNode) dataNode;
        Rejection problem = kind == Kind.EVENT ? checkEvent(type, data) : null;
        if (problem == null) {
            problem = checkFields(type, profile.telemetryFields(type), data, null);
        }
        if (problem != null) {
            return Checked.rejected(problem);
        }
        boolean skewed = ts != null && Math.abs(ts - receivedAt) > CLOCK_SKEW_LIMIT_MS;
        return Checked.ok(new Reading(deviceId, type, kind, receivedAt, ts, seq, flags(skewed, provisioned.isEmpty()), data));
    }

    /**
     * A {@code devices/{id}/status} payload: {@code online} or {@code offline} as plain text (the
     * device's will message). The profile's status carries no type, so it comes from provisioning,
     * else from the last reading accepted from the device.
     *
     * @param lastSeenType the type of the last reading accepted from this device, or null
     */
    public Checked<Reading> status(String deviceId, byte[] payload, DeviceType lastSeenType, long receivedAt) {
        if (!DeviceIds.isValid(deviceId)) {
            return badDeviceId(deviceId);
        }
        String text = utf8(payload);
        String status = text == null ? null : text.strip();
        if (!"online".equals(status) && !"offline".equals(status)) {
            return Checked.rejected(RejectReason.MALFORMED, "status must be the text online or offline");
        }
        Optional<DeviceType> provisioned = provisioning.typeOf(deviceId);
        DeviceType type = provisioned.orElse(lastSeenType);
        if (type == null) {
            return Checked.rejected(RejectReason.UNKNOWN_TYPE,
                    "status of a device whose type is unknown: not provisioned and no reading seen yet");
        }
        ObjectNode data = JsonNodeFactory.instance.objectNode().put("status", status);
        return Checked.ok(new Reading(deviceId, type, Kind.STATUS, receivedAt, null, null, flags(false, provisioned.isEmpty()), data));
    }

    private Rejection checkEvent(DeviceType type, ObjectNode data) {
        JsonNode eventNode = data.get("event");
        if (eventNode == null) {
            return Rejection.of(RejectReason.MISSING_FIELD, "data.event is required");
        }
        if (!eventNode.isTextual()) {
            return Rejection.of(RejectReason.BAD_FIELD, "data.event must be a string, not " + DeviceProfile.describe(eventNode));
        }
        DeviceProfile.EventRule event = profile.event(type, eventNode.textValue());
        if (event == null) {
            return Rejection.of(RejectReason.UNKNOWN_EVENT,
                    DeviceProfile.describe(eventNode) + " is not an event of " + type.wireName());
        }
        return checkFields(type, event.fields(), data, event.name());
    }

    /**
     * Known fields only: a field the table does not name is kept untouched. The diagnostic of a
     * personal field ({@link PersonalFields}) says what kind of value it got, never the value: it
     * goes back to the device, into the log, and a card number is not to be in either.
     */
    private static Rejection checkFields(DeviceType type, List<DeviceProfile.FieldRule> rules, ObjectNode data, String event) {
        for (int i = 0; i < rules.size(); i++) {
            DeviceProfile.FieldRule rule = rules.get(i);
            JsonNode value = data.get(rule.name());
            if (value == null) {
                if (rule.required()) {
                    return Rejection.of(RejectReason.MISSING_FIELD, "data." + rule.name() + " is required for " + event);
                }
                continue;
            }
            String problem = rule.rule().problem(value);
            if (problem != null) {
                if (PersonalFields.isPersonal(type, rule.name())) {
                    problem = rule.rule().expected() + ", not " + DeviceProfile.jsonKind(value);
                }
                return Rejection.of(RejectReason.BAD_FIELD, "data." + rule.name() + ": " + problem);
            }
        }
        return null;
    }

    private static Checked<Reading> badDeviceId(String deviceId) {
        return Checked.rejected(RejectReason.BAD_DEVICE_ID,
                "\"" + DeviceIds.printable(deviceId) + "\" is not 1 to 64 of A-Z a-z 0-9 . _ -");
    }

    private static Set<Flag> flags(boolean skewed, boolean unprovisioned) {
        if (skewed) {
            return unprovisioned ? SKEW_UNPROVISIONED : SKEW;
        }
        return unprovisioned ? UNPROVISIONED : NO_FLAGS;
    }

    private static String utf8(byte[] payload) {
        if (payload == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(payload))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
