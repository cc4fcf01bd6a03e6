package org.communityguard.edge.device;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.communityguard.edge.uplink.ReadingJson;
import org.communityguard.testkit.fuzz.Choices;
import org.communityguard.testkit.fuzz.Fuzzing;
import org.communityguard.testkit.fuzz.Mutations;

/**
 * The whole device-message path under generated input: {@link DeviceIngest#ingest} with a JSON or
 * CBOR payload. Inputs are valid messages built from {@link DeviceProfile#V1} (every type, every
 * event, telemetry with any subset of its fields), sent as they are or with one mutation.
 *
 * <p>What must hold for every input: ingest neither throws nor completes exceptionally; a refusal
 * has a reason and a detail; an accepted reading is one the hub stores (docs/uplink.md, "Readings
 * the hub refuses": no U+0000, no lone surrogate, every number a finite double, {@code data} at most
 * 32 levels deep, seen in the reading's uplink JSON as the gateway sends it); the counters add up.
 * And per mutation what the profile says: a valid message, or one changed only in a field the
 * profile does not know, is accepted with every known field intact; a known field of the wrong
 * JSON type, a duplicate key, a missing required field or a bad id is refused for that reason.
 */
final class DeviceMessageProperty implements Fuzzing.Property {

    /** The uplink contract's nesting limit for {@code data} (docs/uplink.md, {@code too_deep}). */
    static final int UPLINK_MAX_DATA_DEPTH = 32;
    private static final long NOW = 1_763_764_800_000L;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper PLAIN = new ObjectMapper();
    private static final JsonFactory JSON = new JsonFactory();
    private static final JsonFactory CBOR = new CBORFactory();
    /** Six bytes in UTF-8, as are {@code \u0000} and {@code \ud800} written as JSON escapes. */
    private static final String MARK = "QQQZZZ";
    /** Numbers compare by value: a long the encoder wrote may come back as an int node. */
    private static final java.util.Comparator<JsonNode> NUMBERS_BY_VALUE = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    };

    enum Mutation {
        NONE, UNKNOWN_DATA_FIELD, UNKNOWN_TOP_FIELD, TYPE_SWAP, HUGE_NUMBER, DEEP_NESTING, BAD_TEXT, DUPLICATE_KEY,
        MISSING_REQUIRED, BAD_DEVICE_ID, WRONG_PROVISIONING, OVERSIZE, WRONG_FORMAT, BYTE_FLIPS, TRUNCATE, RANDOM_BYTES
    }

    private final PayloadFormat format;

    DeviceMessageProperty(PayloadFormat format) {
        this.format = format;
    }

    /** A message the profile accepts, and what the gateway must make of it. */
    record Valid(String deviceId, DeviceType type, Kind kind, Long ts, Long seq, ObjectNode data) {
        ObjectNode message() {
            ObjectNode m = NODES.objectNode().put("v", 1).put("type", type.wireName());
            if (ts != null) {
                m.put("ts", ts);
            }
            if (seq != null) {
                m.put("seq", seq);
            }
            m.set("data", data.deepCopy());
            return m;
        }
    }

    @Override
    public Fuzzing.Verdict check(Choices in) throws Exception {
        Valid valid = valid(in);
        Mutation mutation = in.pick(List.of(Mutation.values()));
        ObjectNode message = valid.message();
        String deviceId = valid.deviceId();
        Map<String, DeviceType> provisioned = new HashMap<>();
        if (in.chance(30)) {
            provisioned.put(deviceId, valid.type());
        }
        PayloadFormat sentAs = format;
        RejectReason expected = null;       // the reason a refusal must give, when the mutation decides it
        Set<RejectReason> expectedOneOf = null;
        boolean mustAccept = false;
        String unknownKey = null;
        JsonNode unknownValue = null;
        String duplicateIn = null;
        byte[] payload = null;

        switch (mutation) {
            case NONE -> mustAccept = true;
            case UNKNOWN_DATA_FIELD -> {
                unknownKey = unknownKey(in, valid);
                unknownValue = storableValue(in, 3);
                ((ObjectNode) message.get("data")).set(unknownKey, unknownValue);
                mustAccept = true;
            }
            case UNKNOWN_TOP_FIELD -> {
                message.set("x_" + Mutations.storable(in.text(12)), storableValue(in, 3));
                mustAccept = true;
            }
            case TYPE_SWAP -> expected = typeSwap(in, message, valid);
            case HUGE_NUMBER -> expectedOneOf = hugeNumber(in, message, valid);
            case DEEP_NESTING -> ((ObjectNode) message.get("data")).set("x_deep", nested(in.between(1, 700), in.flip()));
            case BAD_TEXT -> {
                if (in.flip()) {
                    ((ObjectNode) message.get("data")).put("x_" + MARK, 1);
                } else {
                    ((ObjectNode) message.get("data")).put("x_note", Mutations.storable(in.text(8)) + MARK);
                }
                // Jackson itself refuses a lone surrogate in a key, and CBOR's text must be UTF-8.
                expectedOneOf = Set.of(RejectReason.BAD_TEXT, RejectReason.MALFORMED);
            }
            case DUPLICATE_KEY -> {
                duplicateIn = in.flip() || valid.data().isEmpty() ? "" : "data";
                expected = RejectReason.MALFORMED;
            }
            case MISSING_REQUIRED -> expected = removeRequired(in, message, valid);
            case BAD_DEVICE_ID -> {
                deviceId = in.flip() ? deviceId + Mutations.storable(in.text(3)) + "/" : "d".repeat(DeviceIds.MAX_LENGTH + in.between(1, 5));
                expected = RejectReason.BAD_DEVICE_ID;
            }
            case WRONG_PROVISIONING -> {
                provisioned.put(deviceId, in.pick(List.of(DeviceType.values()).stream()
                        .filter(t -> t != valid.type() && t != DeviceType.GATEWAY).toList()));
                expected = RejectReason.TYPE_MISMATCH;
            }
            case OVERSIZE -> {
                ((ObjectNode) message.get("data")).put("x_pad", "p".repeat(PayloadCodec.DEFAULT_MAX_PAYLOAD_BYTES));
                expected = RejectReason.TOO_LARGE;
            }
            case WRONG_FORMAT -> sentAs = in.pick(List.of(PayloadFormat.values()).stream().filter(f -> f != format).toList());
            default -> {
                // Byte-level mutations below.
            }
        }
        if (payload == null) {
            payload = encode(message, format, duplicateIn);
        }
        switch (mutation) {
            case BAD_TEXT -> payload = markToBadText(payload, in.flip());
            case BYTE_FLIPS -> payload = Mutations.flipBytes(in, payload);
            case TRUNCATE -> payload = Mutations.truncate(in, payload);
            case RANDOM_BYTES -> payload = in.bytes(200);
            default -> {
            }
        }
        if (mustAccept && payload.length > PayloadCodec.DEFAULT_MAX_PAYLOAD_BYTES) {
            mustAccept = false;
            expected = RejectReason.TOO_LARGE;
        }

        TestSink sink = new TestSink();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TestClock clock = new TestClock(NOW);
        DeviceIngest ingest = new DeviceIngest(sink, Provisioning.of(provisioned),
                new DeviceCommands(8, Duration.ofMinutes(10), clock, registry), registry, clock,
                DeviceIngest.Settings.defaults());
        Outcome outcome = ingest.ingest(in.flip() ? Protocol.MQTT : Protocol.COAP, valid.kind(), deviceId, sentAs, payload)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertThat(outcome).isNotNull();
        double received = registry.get("edge_readings_received_total").counters().stream().mapToDouble(c -> c.count()).sum();
        double accepted = registry.get("edge_readings_accepted_total").counters().stream().mapToDouble(c -> c.count()).sum();
        double rejected = registry.get("edge_readings_rejected_total").counters().stream().mapToDouble(c -> c.count()).sum();
        assertThat(received).as("received = accepted + rejected").isEqualTo(accepted + rejected).isEqualTo(1.0);

        if (outcome instanceof Outcome.Rejected r) {
            assertThat(r.rejection().reason()).isNotNull();
            assertThat(r.rejection().detail()).isNotBlank();
            assertThat(sink.offered()).isEmpty();
            assertThat(mustAccept).as("%s refused a message it must accept: %s", mutation, r.rejection().diagnostic()).isFalse();
            if (expected != null) {
                assertThat(r.rejection().reason()).as("%s: %s", mutation, r.rejection().diagnostic()).isEqualTo(expected);
            }
            if (expectedOneOf != null) {
                assertThat(r.rejection().reason()).as("%s: %s", mutation, r.rejection().diagnostic()).isIn(expectedOneOf);
            }
            return Fuzzing.refused(r.rejection().reason().wireName());
        }
        assertThat(outcome).as("a fresh ingest has seen nothing to be a copy of").isInstanceOf(Outcome.Accepted.class);
        assertThat(expected).as("%s was accepted", mutation).isNull();
        assertThat(expectedOneOf).as("%s was accepted", mutation).isNull();
        Reading reading = ((Outcome.Accepted) outcome).reading();
        assertThat(sink.accepted()).containsExactly(reading);
        assertStorableAtTheHub(reading);
        if (mustAccept) {
            assertThat(reading.deviceId()).isEqualTo(valid.deviceId());
            assertThat(reading.type()).isEqualTo(valid.type());
            assertThat(reading.kind()).isEqualTo(valid.kind());
            assertThat(reading.deviceTs()).isEqualTo(valid.ts());
            assertThat(reading.seq()).isEqualTo(valid.seq());
            ObjectNode known = reading.data().deepCopy();
            if (unknownKey != null) {
                assertThat(known.get(unknownKey).equals(NUMBERS_BY_VALUE, unknownValue))
                        .as("the unknown field is kept: sent %s, got %s", unknownValue, known.get(unknownKey)).isTrue();
                known.remove(unknownKey);
            }
            assertThat(known.equals(NUMBERS_BY_VALUE, valid.data()))
                    .as("every known field intact: sent %s, got %s", valid.data(), known).isTrue();
        }
        return Fuzzing.accepted();
    }

    /** What the hub refuses per reading (docs/uplink.md), read from the JSON this gateway sends it. */
    static void assertStorableAtTheHub(Reading reading) throws IOException {
        JsonNode sent = PLAIN.readTree(new ReadingJson(PLAIN).encode(reading));
        assertThat(DeviceIds.isValid(sent.path("device").asText())).isTrue();
        assertStorable(sent.path("data"), 1, "data");
    }

    private static void assertStorable(JsonNode node, int depth, String path) {
        if (node.isContainerNode()) {
            assertThat(depth).as("%s is nested deeper than the hub stores", path).isLessThanOrEqualTo(UPLINK_MAX_DATA_DEPTH);
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                assertStorableText(field.getKey(), path);
                assertStorable(field.getValue(), depth + 1, path + "." + field.getKey());
            }
            for (int i = 0; node.isArray() && i < node.size(); i++) {
                assertStorable(node.get(i), depth + 1, path + "[" + i + "]");
            }
        } else if (node.isTextual()) {
            assertStorableText(node.textValue(), path);
        } else if (node.isNumber()) {
            assertThat(Double.isFinite(node.doubleValue())).as("%s = %s is not a finite double", path, node).isTrue();
        }
    }

    private static void assertStorableText(String text, String path) {
        assertThat(text).as("%s holds U+0000", path).doesNotContain("\u0000");
        assertThat(Mutations.storable(text)).as("%s holds a lone surrogate", path).isEqualTo(text);
    }

    // ---- valid messages, from the profile's tables

    static Valid valid(Choices in) {
        DeviceType type = in.pick(List.of(DeviceType.LAMP_POST, DeviceType.MANHOLE, DeviceType.SMOKE_DETECTOR, DeviceType.DOOR_ACCESS));
        Kind kind = in.flip() ? Kind.TELEMETRY : Kind.EVENT;
        ObjectNode data = NODES.objectNode();
        if (kind == Kind.TELEMETRY) {
            for (DeviceProfile.FieldRule rule : DeviceProfile.V1.telemetryFields(type)) {
                if (in.chance(40)) {
                    data.set(rule.name(), validValue(in, rule.rule()));
                }
            }
        } else {
            List<DeviceProfile.EventRule> events = new ArrayList<>(DeviceProfile.V1.events(type).values());
            events.sort((a, b) -> a.name().compareTo(b.name()));
            DeviceProfile.EventRule event = in.pick(events);
            data.put("event", event.name());
            for (DeviceProfile.FieldRule rule : event.fields()) {
                if (rule.required() || in.flip()) {
                    data.set(rule.name(), validValue(in, rule.rule()));
                }
            }
        }
        Long ts = in.chance(70) ? (in.chance(80) ? NOW + in.between(-600_000, 600_000) : in.longBetween(0, ReadingValidator.MAX_TS)) : null;
        Long seq = in.chance(70) ? in.longBetween(0, ReadingValidator.MAX_SEQ) : null;
        return new Valid(validId(in), type, kind, ts, seq, data);
    }

    static String validId(Choices in) {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
        StringBuilder id = new StringBuilder();
        for (int i = in.between(1, in.chance(90) ? 16 : DeviceIds.MAX_LENGTH); i > 0; i--) {
            id.append(alphabet.charAt(in.between(0, alphabet.length() - 1)));
        }
        return id.toString();
    }

    private static JsonNode validValue(Choices in, DeviceProfile.ValueRule rule) {
        if (rule instanceof DeviceProfile.Bool) {
            return NODES.booleanNode(in.flip());
        }
        if (rule instanceof DeviceProfile.Range r) {
            if (in.flip()) {
                return NODES.numberNode(in.between((int) r.min(), (int) r.max()));
            }
            double v = r.min() + (r.max() - r.min()) * in.between(0, 1_000_000) / 1_000_000.0;
            return NODES.numberNode(Math.min(r.max(), Math.max(r.min(), v)));
        }
        if (rule instanceof DeviceProfile.OneOf o) {
            return NODES.textNode(in.pick(o.values().stream().sorted().toList()));
        }
        return NODES.textNode(Mutations.storable(in.text(24)));
    }


    /** A value a device may put in a field the profile does not know, and that the hub can store. */
    private static JsonNode storableValue(Choices in, int depth) {
        int kind = in.between(0, depth > 0 ? 6 : 4);
        return switch (kind) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(in.flip());
            case 2 -> NODES.numberNode(in.longBetween(Long.MIN_VALUE, Long.MAX_VALUE));
            case 3 -> {
                double d = in.anyDouble();
                yield NODES.numberNode(Double.isFinite(d) ? d : 0.5);
            }
            case 4 -> NODES.textNode(Mutations.storable(in.text(16)));
            case 5 -> {
                ArrayNode a = NODES.arrayNode();
                for (int i = in.between(0, 3); i > 0; i--) {
                    a.add(storableValue(in, depth - 1));
                }
                yield a;
            }
            default -> {
                ObjectNode o = NODES.objectNode();
                for (int i = in.between(0, 3); i > 0; i--) {
                    o.set("k" + Mutations.storable(in.text(6)), storableValue(in, depth - 1));
                }
                yield o;
            }
        };
    }

    private static String unknownKey(Choices in, Valid valid) {
        String key = "x_" + Mutations.storable(in.text(12));
        // A suffix, not a redraw: a used-up fuzzer input would draw the same key forever.
        for (int i = 1; valid.data().has(key); i++) {
            key = "x_" + i;
        }
        return key;
    }

    // ---- mutations with a known answer

    /** Replaces one known field with a value of another JSON type; the reason the profile gives. */
    private static RejectReason typeSwap(Choices in, ObjectNode message, Valid valid) {
        List<String> targets = new ArrayList<>(List.of("v", "type", "data"));
        if (valid.ts() != null) {
            targets.add("ts");
        }
        if (valid.seq() != null) {
            targets.add("seq");
        }
        valid.data().fieldNames().forEachRemaining(f -> targets.add("data." + f));
        String target = in.pick(targets);
        ObjectNode parent = target.startsWith("data.") ? (ObjectNode) message.get("data") : message;
        String field = target.startsWith("data.") ? target.substring(5) : target;
        parent.set(field, otherKind(in, parent.get(field)));
        return switch (field.equals(target) ? target : "data") {
            case "v" -> RejectReason.BAD_VERSION;
            case "type" -> RejectReason.UNKNOWN_TYPE;
            default -> RejectReason.BAD_FIELD;
        };
    }

    /** A non-null value of another JSON kind than {@code value}. */
    private static JsonNode otherKind(Choices in, JsonNode value) {
        // The kinds in turn from a chosen one, not drawn until one differs: a fuzzer's input, once
        // used up, answers every choice the same, and a redraw would never end (Jazzer's timeout).
        int first = in.between(0, 4);
        for (int i = 0; ; i++) {
            JsonNode other = switch ((first + i) % 5) {
                case 0 -> NODES.booleanNode(in.flip());
                case 1 -> NODES.numberNode(in.between(0, 3));
                case 2 -> NODES.textNode(Mutations.storable(in.text(6)));
                case 3 -> NODES.arrayNode().add(1);
                default -> NODES.objectNode().put("a", 1);
            };
            if (other.getNodeType() != value.getNodeType()) {
                return other;
            }
        }
    }

    /** A known number (data, ts or seq) becomes one far outside its range. */
    private Set<RejectReason> hugeNumber(Choices in, ObjectNode message, Valid valid) {
        List<String> targets = new ArrayList<>(List.of("ts", "seq"));
        valid.data().fields().forEachRemaining(f -> {
            if (f.getValue().isNumber()) {
                targets.add("data." + f.getKey());
            }
        });
        boolean unknown = in.chance(30);
        String target = unknown ? "data.x_big" : in.pick(targets);
        ObjectNode parent = target.startsWith("data.") ? (ObjectNode) message.get("data") : message;
        String field = target.startsWith("data.") ? target.substring(5) : target;
        switch (in.between(0, 4)) {
            case 0 -> parent.put(field, new BigInteger("18446744073709551617"));      // 2^64 + 1
            case 1 -> parent.put(field, new BigDecimal("1e400"));                     // beyond a double
            case 2 -> parent.put(field, -Double.MAX_VALUE);
            case 3 -> parent.put(field, Double.NaN);                                  // CBOR carries it; JSON writes "NaN"
            default -> parent.put(field, Long.MIN_VALUE);
        }
        return unknown ? null : Set.of(RejectReason.BAD_FIELD, RejectReason.BAD_NUMBER);
    }

    private static JsonNode nested(int depth, boolean arrays) {
        JsonNode node = NODES.numberNode(1);
        for (int i = 0; i < depth; i++) {
            node = arrays ? NODES.arrayNode().add(node) : NODES.objectNode().set("n", node);
        }
        return node;
    }

    private static RejectReason removeRequired(Choices in, ObjectNode message, Valid valid) {
        List<String> required = new ArrayList<>(List.of("v", "type", "data"));
        if (valid.kind() == Kind.EVENT) {
            required.add("data.event");
            DeviceProfile.EventRule event = DeviceProfile.V1.event(valid.type(), valid.data().path("event").asText());
            event.fields().stream().filter(DeviceProfile.FieldRule::required).forEach(f -> required.add("data." + f.name()));
        }
        String target = in.pick(required);
        if (target.startsWith("data.")) {
            ((ObjectNode) message.get("data")).remove(target.substring(5));
        } else {
            message.remove(target);
        }
        return RejectReason.MISSING_FIELD;
    }

    // ---- encoding

    /** The message in the format, written field by field so a key can be written twice. */
    private static byte[] encode(JsonNode message, PayloadFormat format, String duplicateIn) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = (format == PayloadFormat.CBOR ? CBOR : JSON).createGenerator(out)) {
            write(g, message, "", duplicateIn);
        }
        return out.toByteArray();
    }

    private static void write(JsonGenerator g, JsonNode node, String path, String duplicateIn) throws IOException {
        if (node.isObject()) {
            g.writeStartObject();
            boolean first = true;
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String at = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                int times = first && path.equals(duplicateIn) ? 2 : 1;
                for (int i = 0; i < times; i++) {
                    g.writeFieldName(field.getKey());
                    write(g, field.getValue(), at, duplicateIn);
                }
                first = false;
            }
            g.writeEndObject();
        } else if (node.isArray()) {
            g.writeStartArray();
            for (JsonNode element : node) {
                write(g, element, path, duplicateIn);
            }
            g.writeEndArray();
        } else {
            PLAIN.writeTree(g, node);
        }
    }

    /** The mark becomes U+0000 or a lone surrogate: JSON escapes, or raw bytes in CBOR. */
    private byte[] markToBadText(byte[] payload, boolean nul) {
        byte[] mark = MARK.getBytes(StandardCharsets.US_ASCII);
        byte[] bad = format == PayloadFormat.JSON
                ? (nul ? "\\u0000" : "\\ud800").getBytes(StandardCharsets.US_ASCII)
                : nul ? new byte[] {0, 'Q', 'Q', 'Z', 'Z', 'Z'} : new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80, 'Z', 'Z', 'Z'};
        return Mutations.overwrite(payload, mark, bad);
    }
}
