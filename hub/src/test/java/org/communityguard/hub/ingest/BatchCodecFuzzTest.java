package org.communityguard.hub.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.communityguard.hub.Hub;
import org.communityguard.testkit.fuzz.Choices;
import org.communityguard.testkit.fuzz.Fuzzing;
import org.communityguard.testkit.fuzz.Mutations;
import org.junit.jupiter.api.Test;

/**
 * The uplink batch (docs/uplink.md) under generated input, {@value Fuzzing#SHORT_TRIES} tries
 * ({@link BatchCodecFuzzer} runs the same property in deploy/bench.sh fuzz). Inputs are valid
 * batches (generated from the contract, or a golden sample of docs/uplink/) sent as they are or
 * with one mutation: unknown fields, one reading broken in a way the contract names, a broken
 * envelope, or bytes flipped, cut or replaced.
 *
 * <p>What must hold: decoding never throws; a refused batch has a detail; a decoded batch accounts
 * for every reading (kept or refused by index, with a reason of the contract's table); every kept
 * reading is one the database stores; a valid batch, or one changed only in unknown fields, keeps
 * every reading with every field; a batch with one bad reading refuses that one, for its reason,
 * and keeps all the others intact.
 */
class BatchCodecFuzzTest {

    static final String DECODER = "uplink_batch";
    static final Fuzzing.Property PROPERTY = BatchCodecFuzzTest::check;

    /** docs/uplink.md, "Readings the hub refuses", less refused_by_database (the database's, not the codec's). */
    static final Set<String> REASONS = Set.of("not_an_object", "bad_device_id", "unknown_type", "bad_kind", "bad_time",
            "time_out_of_range", "bad_seq", "bad_flags", "bad_data", "nul_character", "unpaired_surrogate", "not_finite", "too_deep");

    private static final ObjectMapper JSON = Hub.jsonMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final BatchCodec CODEC = new BatchCodec(JSON);
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern WORD = Pattern.compile("[a-z_]{1,32}");
    private static final List<String> GOLDEN = List.of("batch-all-types.json", "batch-minimal.json");
    private static final String MARK = "QQQZZZ";
    /** Numbers compare by value: a long written may come back as an int node. */
    private static final java.util.Comparator<JsonNode> NUMBERS_BY_VALUE = (a, b) ->
            a.isNumber() && b.isNumber() ? a.decimalValue().compareTo(b.decimalValue()) : a.equals(b) ? 0 : 1;

    private enum Mutation { NONE, UNKNOWN_FIELDS, ONE_BAD_READING, BAD_ENVELOPE, DEEP_ENVELOPE, BYTE_FLIPS, TRUNCATE, RANDOM_BYTES, LATIN1 }

    @Test
    void generatedBatchesKeepEveryGoodReadingAndNameEveryBadOne() {
        Fuzzing.run(DECODER, PROPERTY);
    }

    static Fuzzing.Verdict check(Choices in) throws IOException {
        ObjectNode batch = in.chance(20) ? golden(in) : valid(in);
        ObjectNode sent = batch.deepCopy();
        Mutation mutation = in.pick(List.of(Mutation.values()));
        int badIndex = -1;
        String badReason = null;
        String mark = null;
        boolean mustDecode = false;
        switch (mutation) {
            case NONE -> mustDecode = true;
            case UNKNOWN_FIELDS -> {
                sent.put("x_" + in.between(0, 99), Mutations.storable(in.text(10)));
                for (JsonNode r : sent.path("readings")) {
                    ((ObjectNode) r).put("x_future", in.between(0, 9));
                }
                mustDecode = true;
            }
            case ONE_BAD_READING -> {
                badIndex = in.between(0, sent.path("readings").size() - 1);
                String[] broken = breakReading(in, sent.path("readings"), badIndex);
                badReason = broken[0];
                mark = broken[1];
                mustDecode = true;
            }
            case BAD_ENVELOPE -> breakEnvelope(in, sent);
            case DEEP_ENVELOPE -> {
                // Written as text, below.
            }
            default -> {
            }
        }
        byte[] payload = JSON.writeValueAsBytes(sent);
        if (mutation == Mutation.DEEP_ENVELOPE) {
            // Past Jackson's nesting limit (1,000), written as text: Jackson would not write it either.
            int depth = in.between(1001, 1400);
            payload = ("{\"x_deep\": " + "[".repeat(depth) + "1" + "]".repeat(depth) + ", "
                    + new String(payload, StandardCharsets.UTF_8).substring(1)).getBytes(StandardCharsets.UTF_8);
        } else if (mark != null) {
            payload = replaceMark(payload, mark);
        }
        switch (mutation) {
            case BYTE_FLIPS -> payload = Mutations.flipBytes(in, payload);
            case TRUNCATE -> payload = Mutations.truncate(in, payload);
            case RANDOM_BYTES -> payload = in.bytes(300);
            case LATIN1 -> payload = new String(payload, StandardCharsets.UTF_8).replace("lamp", "lämp\u00e9").getBytes(StandardCharsets.ISO_8859_1);
            default -> {
            }
        }

        BatchCodec.Result result = CODEC.decode(new ByteArrayInputStream(payload));

        assertThat(result).isNotNull();
        if (result instanceof BatchCodec.Invalid invalid) {
            assertThat(invalid.detail()).isNotBlank();
            assertThat(mustDecode).as("%s refused as a whole: %s", mutation, invalid.detail()).isFalse();
            return Fuzzing.refused("invalid_batch");
        }
        assertThat(mutation).as("a broken envelope was decoded").isNotIn(Mutation.BAD_ENVELOPE, Mutation.DEEP_ENVELOPE);
        UplinkBatch decoded = ((BatchCodec.Decoded) result).batch();
        JsonNode readings = JSON.readTree(payload).path("readings");
        assertThat(decoded.readings().size() + decoded.rejected().size()).isEqualTo(readings.size());
        int previous = -1;
        for (UplinkBatch.Rejected r : decoded.rejected()) {
            assertThat(r.reason()).isIn(REASONS);
            assertThat(r.detail()).isNotBlank();
            assertThat(r.index()).isGreaterThan(previous).isLessThan(readings.size());
            previous = r.index();
        }
        for (int i = 0; i < decoded.readings().size(); i++) {
            assertStorable(decoded.readings().get(i));
        }
        if (mutation == Mutation.ONE_BAD_READING) {
            assertThat(decoded.rejected()).hasSize(1);
            assertThat(decoded.rejected().get(0).index()).isEqualTo(badIndex);
            assertThat(decoded.rejected().get(0).reason()).as(decoded.rejected().get(0).detail()).isEqualTo(badReason);
        }
        if (mustDecode) {
            List<JsonNode> expected = new ArrayList<>();
            batch.path("readings").forEach(expected::add);
            if (badIndex >= 0) {
                expected.remove(badIndex);
            }
            assertThat(decoded.gatewayId()).isEqualTo(batch.path("gateway").asText());
            assertThat(decoded.batchId()).isEqualTo(batch.path("batch").asText());
            assertThat(decoded.readings()).hasSize(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                assertIntact(expected.get(i), decoded.readings().get(i));
                assertThat(decoded.indexOf(i)).isEqualTo(i < badIndex || badIndex < 0 ? i : i + 1);
            }
        }
        if (!decoded.rejected().isEmpty()) {
            return Fuzzing.refused(decoded.rejected().get(0).reason());
        }
        return Fuzzing.accepted();
    }

    /** Every field the gateway sent, as it sent it (the codec may add clock_skew, as the contract says). */
    private static void assertIntact(JsonNode sent, IncomingReading got) {
        assertThat(got.deviceId()).isEqualTo(sent.path("device").asText());
        assertThat(got.deviceType()).isEqualTo(sent.path("type").asText());
        assertThat(got.kind()).isEqualTo(sent.path("kind").asText());
        assertThat(got.receivedAt()).isEqualTo(sent.path("rx").asLong());
        assertThat(got.deviceTs()).isEqualTo(sent.has("ts") ? sent.path("ts").asLong() : null);
        assertThat(got.seq()).isEqualTo(sent.has("seq") ? sent.path("seq").asLong() : null);
        List<String> flags = new ArrayList<>();
        sent.path("flags").forEach(f -> flags.add(f.asText()));
        if (!flags.isEmpty()) {
            assertThat(got.flags()).containsSubsequence(flags);
        }
        assertThat(got.data().equals(NUMBERS_BY_VALUE, sent.path("data"))).as("data sent %s, decoded %s", sent.path("data"), got.data()).isTrue();
    }

    private static void assertStorable(IncomingReading r) {
        assertThat(r.deviceId()).matches(ID);
        assertThat(r.kind()).matches(WORD);
        assertThat(r.receivedAt()).isBetween(1L, BatchCodec.MAX_TIME_MS);
        if (r.deviceTs() != null) {
            assertThat(r.deviceTs()).isBetween(BatchCodec.MIN_TIME_MS, BatchCodec.MAX_TIME_MS);
        }
        if (r.seq() != null) {
            assertThat(r.seq()).isBetween(0L, 0xFFFF_FFFFL);
        }
        r.flags().forEach(f -> assertThat(f).matches(WORD));
        assertStorable(r.data(), 1);
    }

    private static void assertStorable(JsonNode node, int depth) {
        if (node.isContainerNode()) {
            assertThat(depth).isLessThanOrEqualTo(BatchCodec.MAX_DATA_DEPTH);
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                assertThat(Mutations.storable(f.getKey())).isEqualTo(f.getKey());
                assertStorable(f.getValue(), depth + 1);
            }
            for (int i = 0; node.isArray() && i < node.size(); i++) {
                assertStorable(node.get(i), depth + 1);
            }
        } else if (node.isTextual()) {
            assertThat(Mutations.storable(node.textValue())).isEqualTo(node.textValue());
        } else if (node.isFloatingPointNumber()) {
            assertThat(Double.isFinite(node.doubleValue())).isTrue();
        }
    }

    // ---- valid batches

    private static ObjectNode golden(Choices in) throws IOException {
        try (InputStream sample = BatchCodecFuzzTest.class.getResourceAsStream("/uplink/" + in.pick(GOLDEN))) {
            return (ObjectNode) JSON.readTree(sample);
        }
    }

    static ObjectNode valid(Choices in) {
        ObjectNode batch = NODES.objectNode().put("v", 1).put("gateway", id(in, "abcXYZ019._-", 64))
                .put("batch", id(in, "0123456789abcdef-:._", 64));
        ArrayNode readings = batch.putArray("readings");
        for (int i = in.between(1, in.chance(95) ? 8 : 60); i > 0; i--) {
            readings.add(reading(in));
        }
        return batch;
    }

    private static ObjectNode reading(Choices in) {
        ObjectNode r = NODES.objectNode().put("device", id(in, "abcdefghijklmnopqrstuvwxyzABCXYZ0123456789._-", 64))
                .put("type", Choices.pickFrom(in, "lamp_post", "manhole", "smoke_detector", "door_access", "gateway"))
                .put("kind", in.chance(90) ? Choices.pickFrom(in, "telemetry", "event", "status") : id(in, "abcdefghijklmnopqrstuvwxyz_", 32));
        long rx = in.chance(80) ? 1_763_764_800_000L + in.between(0, 1_000_000) : in.longBetween(1, BatchCodec.MAX_TIME_MS);
        r.put("rx", rx);
        if (in.chance(60)) {
            long ts = in.chance(80) ? rx - in.between(-400_000, 400_000) : in.longBetween(BatchCodec.MIN_TIME_MS, BatchCodec.MAX_TIME_MS);
            r.put("ts", Math.min(BatchCodec.MAX_TIME_MS, ts));
        }
        if (in.chance(60)) {
            r.put("seq", in.longBetween(0, 0xFFFF_FFFFL));
        }
        if (in.chance(30)) {
            ArrayNode flags = r.putArray("flags");
            for (int i = in.between(0, 2); i > 0; i--) {
                flags.add(Choices.pickFrom(in, "clock_skew", "unprovisioned", "future_flag"));
            }
        }
        r.set("data", object(in, in.between(0, 4)));
        return r;
    }

    private static ObjectNode object(Choices in, int depth) {
        ObjectNode o = NODES.objectNode();
        for (int i = in.between(0, 5); i > 0; i--) {
            o.set(Mutations.storable(in.text(10)), value(in, depth));
        }
        return o;
    }

    private static JsonNode value(Choices in, int depth) {
        return switch (in.between(0, depth > 0 ? 6 : 4)) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(in.flip());
            case 2 -> NODES.numberNode(in.longBetween(Long.MIN_VALUE, Long.MAX_VALUE));
            case 3 -> {
                double d = in.anyDouble();
                yield NODES.numberNode(Double.isFinite(d) ? d : 1.5);
            }
            case 4 -> NODES.textNode(Mutations.storable(in.text(20)));
            case 5 -> {
                ArrayNode a = NODES.arrayNode();
                for (int i = in.between(0, 3); i > 0; i--) {
                    a.add(value(in, depth - 1));
                }
                yield a;
            }
            default -> object(in, depth - 1);
        };
    }

    private static String id(Choices in, String alphabet, int max) {
        StringBuilder s = new StringBuilder();
        for (int i = in.between(1, in.chance(90) ? 20 : max); i > 0; i--) {
            s.append(alphabet.charAt(in.between(0, alphabet.length() - 1)));
        }
        return s.toString();
    }


    // ---- mutations with a known answer

    /** Breaks reading {@code index} in one way of the contract's table; returns its reason and a mark to replace, or null. */
    private static String[] breakReading(Choices in, JsonNode readings, int index) {
        ObjectNode r = (ObjectNode) readings.get(index);
        ObjectNode data = r.path("data") instanceof ObjectNode o ? o : r.putObject("data");
        switch (in.between(0, 14)) {
            case 0 -> {
                ((ArrayNode) readings).set(index, Choices.pickFrom(in, NODES.numberNode(7), NODES.textNode("reading"), NODES.arrayNode(), NODES.nullNode()));
                return new String[] {"not_an_object", null};
            }
            case 1 -> {
                r.put("device", Choices.pickFrom(in, "", "lamp b1", "d".repeat(65), "lamp/1", "läмп"));
                return new String[] {"bad_device_id", null};
            }
            case 2 -> {
                r.put("type", Choices.pickFrom(in, "toaster", "LAMP_POST", ""));
                return new String[] {"unknown_type", null};
            }
            case 3 -> {
                r.put("kind", Choices.pickFrom(in, "Telemetry", "", "k".repeat(33), "tele-metry"));
                return new String[] {"bad_kind", null};
            }
            case 4 -> {
                if (in.flip()) {
                    r.remove("rx");
                } else {
                    r.set("rx", Choices.pickFrom(in, NODES.numberNode(0), NODES.numberNode(-5), NODES.textNode("1763764800000"),
                            NODES.numberNode(1.5e12), NODES.numberNode(new BigInteger("18446744073709551617"))));
                }
                return new String[] {"bad_time", null};
            }
            case 5 -> {
                r.set("ts", Choices.pickFrom(in, NODES.textNode("now"), NODES.nullNode(), NODES.numberNode(1.5),
                        NODES.numberNode(new BigInteger("-18446744073709551617"))));
                return new String[] {"bad_time", null};
            }
            case 6 -> {
                if (in.flip()) {
                    r.put("rx", BatchCodec.MAX_TIME_MS + in.longBetween(1, Long.MAX_VALUE - BatchCodec.MAX_TIME_MS));
                } else {
                    r.put("ts", in.flip() ? BatchCodec.MAX_TIME_MS + 1 : BatchCodec.MIN_TIME_MS - in.longBetween(1, 1_000_000_000L));
                }
                return new String[] {"time_out_of_range", null};
            }
            case 7 -> {
                r.set("seq", Choices.pickFrom(in, NODES.numberNode(-1), NODES.numberNode(0x1_0000_0000L), NODES.textNode("4"), NODES.numberNode(2.5)));
                return new String[] {"bad_seq", null};
            }
            case 8 -> {
                r.set("flags", Choices.pickFrom(in, NODES.textNode("clock_skew"), NODES.arrayNode().add("Clock Skew"), NODES.arrayNode().add(3)));
                return new String[] {"bad_flags", null};
            }
            case 9 -> {
                r.set("data", Choices.pickFrom(in, NODES.arrayNode(), NODES.textNode("{}"), NODES.numberNode(1), NODES.nullNode()));
                return new String[] {"bad_data", null};
            }
            case 10 -> {
                if (in.flip()) {
                    data.put("x_" + MARK, 1);
                } else {
                    data.put("x_note", MARK);
                }
                return new String[] {"nul_character", "\\u0000"};
            }
            case 11 -> {
                data.put("x_note", "a" + MARK + "b");
                return new String[] {"unpaired_surrogate", "\\udc00"};
            }
            case 12 -> {
                data.put("x_big", new BigDecimal("1e400"));
                return new String[] {"not_finite", null};
            }
            default -> {
                JsonNode deep = NODES.numberNode(1);
                for (int i = in.between(BatchCodec.MAX_DATA_DEPTH, 200); i > 0; i--) {
                    deep = in.flip() ? NODES.arrayNode().add(deep) : NODES.objectNode().set("n", deep);
                }
                data.set("x_deep", deep);
                return new String[] {"too_deep", null};
            }
        }
    }

    /** One envelope rule of the contract broken: a batch nobody may store any of. */
    private static void breakEnvelope(Choices in, ObjectNode batch) {
        switch (in.between(0, 3)) {
            case 0 -> batch.set("v", Choices.pickFrom(in, NODES.numberNode(2), NODES.numberNode(0), NODES.textNode("1"),
                    NODES.numberNode(1.0), NODES.booleanNode(true), NODES.nullNode(), NODES.numberNode(4_294_967_297L),
                    NODES.numberNode(new BigInteger("18446744073709551617"))));
            case 1 -> batch.set("gateway", Choices.pickFrom(in, NODES.textNode(""), NODES.textNode("gw 1"), NODES.numberNode(1),
                    NODES.textNode("g".repeat(65))));
            case 2 -> batch.set("batch", Choices.pickFrom(in, NODES.textNode(""), NODES.textNode("b/1"), NODES.numberNode(7),
                    NODES.textNode("b".repeat(65))));
            default -> {
                if (in.flip()) {
                    batch.set("readings", Choices.pickFrom(in, NODES.arrayNode(), NODES.objectNode(), NODES.textNode("[]")));
                } else {
                    ArrayNode many = NODES.arrayNode();
                    JsonNode one = batch.path("readings").get(0);
                    for (int i = 0; i <= BatchCodec.MAX_READINGS; i++) {
                        many.add(one);
                    }
                    batch.set("readings", many);
                }
            }
        }
    }

    private static byte[] replaceMark(byte[] payload, String escape) {
        return Mutations.overwrite(payload, MARK.getBytes(StandardCharsets.US_ASCII), escape.getBytes(StandardCharsets.US_ASCII));
    }
}
