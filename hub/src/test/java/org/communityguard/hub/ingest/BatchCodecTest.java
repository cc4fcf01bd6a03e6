package org.communityguard.hub.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.communityguard.hub.Hub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The hub side of the uplink contract, against the golden samples in docs/uplink/. */
class BatchCodecTest {

    private final BatchCodec codec = new BatchCodec(Hub.jsonMapper());

    private static InputStream sample(String name) {
        InputStream in = BatchCodecTest.class.getResourceAsStream("/uplink/" + name);
        assertThat(in).as("golden sample %s on the test classpath", name).isNotNull();
        return in;
    }

    private UplinkBatch decoded(String sample) {
        BatchCodec.Result result = codec.decode(sample(sample));
        assertThat(result).isInstanceOf(BatchCodec.Decoded.class);
        return ((BatchCodec.Decoded) result).batch();
    }

    /** The hand-written checks say what the contract's patterns say, for every char and the lengths at the edges. */
    @Test
    void idAndWordChecksAgreeWithTheContractsPatterns() {
        Pattern id = Pattern.compile("[A-Za-z0-9._-]{1,64}");
        Pattern key = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
        Pattern word = Pattern.compile("[a-z_]{1,32}");
        List<String> samples = new ArrayList<>(List.of("", "a".repeat(32), "a".repeat(33), "a".repeat(64), "a".repeat(65)));
        for (char c = 0; c < Character.MAX_VALUE; c++) {
            samples.add(String.valueOf(c));
            samples.add("ab" + c + "_9");
            samples.add("x".repeat(31) + c);
            samples.add("x".repeat(63) + c);
        }
        for (String s : samples) {
            assertThat(BatchCodec.isId(s, false)).as("id %s", s).isEqualTo(id.matcher(s).matches());
            assertThat(BatchCodec.isId(s, true)).as("batch key %s", s).isEqualTo(key.matcher(s).matches());
            assertThat(BatchCodec.isWord(s)).as("word %s", s).isEqualTo(word.matcher(s).matches());
        }
    }

    @Test
    void allTypesSampleDecodesEveryReading() {
        UplinkBatch batch = decoded("batch-all-types.json");

        assertThat(batch.gatewayId()).isEqualTo("gw-sunny-1");
        assertThat(batch.batchId()).isEqualTo("3f0c7c1e-6a57-4b57-9a43-2f4a7a3b9c10");
        assertThat(batch.rejected()).isEmpty();
        assertThat(batch.readings()).hasSize(9);
        assertThat(batch.readings()).extracting(IncomingReading::deviceType).containsExactly(
                "lamp_post", "lamp_post", "manhole", "manhole", "smoke_detector", "smoke_detector",
                "door_access", "door_access", "door_access");

        IncomingReading lamp = batch.readings().get(0);
        assertThat(lamp.time()).as("timed by the device clock").isEqualTo(1763764800123L);
        assertThat(lamp.receivedAt()).isEqualTo(1763764800200L);
        assertThat(lamp.seq()).isEqualTo(42L);
        assertThat(lamp.data().path("vendor_fw").asText()).as("unknown fields kept").isEqualTo("2.4.1");

        assertThat(batch.readings().get(2).seq()).as("largest seq").isEqualTo(4294967295L);

        IncomingReading skewed = batch.readings().get(4);
        assertThat(skewed.flags()).containsExactly("clock_skew");
        assertThat(skewed.time()).as("skewed readings are timed by receive time").isEqualTo(skewed.receivedAt());
        assertThat(skewed.deviceTs()).isEqualTo(1763764100000L);

        IncomingReading alarm = batch.readings().get(5);
        assertThat(alarm.isEvent("alarm")).isTrue();

        IncomingReading status = batch.readings().get(8);
        assertThat(status.kind()).isEqualTo("status");
        assertThat(status.flags()).containsExactly("unprovisioned");
        assertThat(status.seq()).isNull();
        assertThat(status.deviceTs()).isNull();
    }

    @Test
    void minimalSampleIsTimedByReceiveTime() {
        UplinkBatch batch = decoded("batch-minimal.json");

        assertThat(batch.readings()).singleElement().satisfies(r -> {
            assertThat(r.time()).isEqualTo(1763764800000L);
            assertThat(r.deviceTs()).isNull();
            assertThat(r.flags()).isEmpty();
        });
    }

    @Test
    void partlyInvalidSampleKeepsTheGoodReadings() {
        UplinkBatch batch = decoded("batch-partly-invalid.json");

        assertThat(batch.readings()).extracting(IncomingReading::deviceId).containsExactly("lamp-b2-02", "smoke-b2-01");
        assertThat(batch.rejected()).extracting(UplinkBatch.Rejected::index, UplinkBatch.Rejected::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, "bad_device_id"),
                        org.assertj.core.groups.Tuple.tuple(2, "unknown_type"));
    }

    static Stream<Path> invalidSamples() throws IOException, URISyntaxException {
        Path dir = Path.of(BatchCodecTest.class.getResource("/uplink/invalid").toURI());
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.sorted().toList();
        }
        assertThat(files).as("invalid golden samples").hasSizeGreaterThanOrEqualTo(5);
        return files.stream();
    }

    @ParameterizedTest
    @MethodSource("invalidSamples")
    void invalidSamplesAreRejectedAsAWhole(Path sample) throws IOException {
        BatchCodec.Result result = codec.decode(Files.newInputStream(sample));

        assertThat(result).isInstanceOf(BatchCodec.Invalid.class);
        assertThat(((BatchCodec.Invalid) result).detail()).isNotBlank();
    }

    @Test
    void hubAppliesTheClockSkewRuleWhenAGatewayDidNot() {
        String json = """
                {"v": 1, "gateway": "gw", "batch": "b1", "readings": [
                  {"device": "d1", "type": "manhole", "kind": "telemetry", "rx": 1763764800000, "ts": 86400000, "data": {}}]}
                """;
        UplinkBatch batch = ((BatchCodec.Decoded) codec.decode(stream(json))).batch();

        assertThat(batch.readings().get(0).flags()).containsExactly("clock_skew");
        assertThat(batch.readings().get(0).time()).isEqualTo(1763764800000L);
    }

    @Test
    void readingProblemsAreNamed() {
        String json = """
                {"v": 1, "gateway": "gw", "batch": "b1", "readings": [
                  {"device": "d1", "type": "manhole", "kind": "telemetry", "rx": "yesterday", "data": {}},
                  {"device": "d1", "type": "manhole", "kind": "telemetry", "rx": 1, "seq": 4294967296, "data": {}},
                  {"device": "d1", "type": "manhole", "kind": "telemetry", "rx": 1, "flags": ["a,b"], "data": {}},
                  {"device": "d1", "type": "manhole", "kind": "Telemetry!", "rx": 1, "data": {}},
                  {"device": "d1", "type": "manhole", "kind": "telemetry", "rx": 1, "data": [1]},
                  42
                ]}
                """;
        UplinkBatch batch = ((BatchCodec.Decoded) codec.decode(stream(json))).batch();

        assertThat(batch.readings()).isEmpty();
        assertThat(batch.rejected()).extracting(UplinkBatch.Rejected::reason)
                .containsExactly("bad_time", "bad_seq", "bad_flags", "bad_kind", "bad_data", "not_an_object");
    }

    @Test
    void unstorableSampleKeepsOnlyTheAlarm() {
        UplinkBatch batch = decoded("batch-unstorable.json");

        assertThat(batch.readings()).singleElement().satisfies(r -> assertThat(r.isEvent("alarm")).isTrue());
        assertThat(batch.rejected()).extracting(UplinkBatch.Rejected::index, UplinkBatch.Rejected::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple(0, "nul_character"),
                org.assertj.core.groups.Tuple.tuple(1, "nul_character"),
                org.assertj.core.groups.Tuple.tuple(2, "unpaired_surrogate"),
                org.assertj.core.groups.Tuple.tuple(3, "not_finite"),
                org.assertj.core.groups.Tuple.tuple(4, "time_out_of_range"),
                org.assertj.core.groups.Tuple.tuple(5, "too_deep"));
    }

    /** What PostgreSQL's jsonb input refuses (or what Jackson would silently change on the way). */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            // U+0000: jsonb has no NUL (22P05 "unsupported Unicode escape sequence"), in values and keys
            "{\"note\": \"a\\u0000b\"}                     | nul_character",
            "{\"a\\u0000\": 1}                              | nul_character",
            "{\"list\": [{\"deep\": [\"\\u0000\"]}]}     | nul_character",
            // a lone surrogate: 22P02 at PostgreSQL; Jackson would write it as '?'
            "{\"note\": \"\\ud800\"}                      | unpaired_surrogate",
            "{\"note\": \"x\\udc00y\"}                    | unpaired_surrogate",
            "{\"list\": [\"ok\", \"\\udbff\"]}              | unpaired_surrogate",
            // beyond a double: Jackson would store the string "Infinity"
            "{\"v\": 1e400}                                  | not_finite",
            "{\"v\": [-1e400]}                               | not_finite",
    })
    void dataPostgresWouldRefuseIsRejectedPerReading(String data, String reason) {
        UplinkBatch batch = decodeWithGoodNeighbour("{\"device\": \"d1\", \"type\": \"manhole\", \"kind\": \"telemetry\","
                + " \"rx\": 1763764800000, \"data\": " + data + "}");

        assertThat(batch.rejected()).singleElement().satisfies(r -> {
            assertThat(r.index()).isZero();
            assertThat(r.reason()).isEqualTo(reason);
            assertThat(r.detail()).isNotBlank();
        });
        assertThat(batch.readings()).extracting(IncomingReading::deviceId).containsExactly("good");
    }

    @Test
    void validUnicodeAndLargeNumbersAreKept() {
        UplinkBatch batch = decodeWithGoodNeighbour("{\"device\": \"d1\", \"type\": \"manhole\", \"kind\": \"telemetry\","
                + " \"rx\": 1763764800000, \"data\": {\"emoji\": \"\\ud83d\\ude00\", \"zh\": \"\u4e2d\u6587\","
                + " \"big\": 123456789012345678901234567890, \"tiny\": 1e-400, \"max\": 1.7976931348623157e308}}");

        assertThat(batch.rejected()).isEmpty();
        assertThat(batch.readings()).hasSize(2);
    }

    @Test
    void nestingIsBounded() {
        String ok = "{\"x\":".repeat(BatchCodec.MAX_DATA_DEPTH - 1) + "1" + "}".repeat(BatchCodec.MAX_DATA_DEPTH - 1);
        String deep = "{\"x\":".repeat(BatchCodec.MAX_DATA_DEPTH) + "[1]" + "}".repeat(BatchCodec.MAX_DATA_DEPTH);

        assertThat(decodeWithGoodNeighbour(reading("\"rx\": 1763764800000", ok)).rejected()).isEmpty();
        assertThat(decodeWithGoodNeighbour(reading("\"rx\": 1763764800000", deep)).rejected())
                .extracting(UplinkBatch.Rejected::reason).containsExactly("too_deep");
    }

    /** timestamptz takes years 1 to 294276, but the hub writes ISO-8601, which has four-digit years. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "\"rx\": 253402300800000                         | time_out_of_range",  // 10000-01-01
            "\"rx\": 1763764800000, \"ts\": 9405979200000000 | time_out_of_range",  // year 300000
            "\"rx\": 1763764800000, \"ts\": -62135596800001  | time_out_of_range",  // 1 BC
            "\"rx\": -1                                      | bad_time",
            "\"rx\": 0                                       | bad_time",
            "\"rx\": 1.5                                     | bad_time",
            // an integer beyond 64 bits must not wrap around into a plausible value
            "\"rx\": 18446744073709551617                    | bad_time",
            "\"rx\": 1763764800000, \"ts\": 18446744073709551617 | bad_time",
            "\"rx\": 1763764800000, \"seq\": 18446744073709551621 | bad_seq",
    })
    void timesAndSequenceNumbersOutsideTheirRangeAreRejected(String fields, String reason) {
        UplinkBatch batch = decodeWithGoodNeighbour(reading(fields, "{}"));

        assertThat(batch.rejected()).extracting(UplinkBatch.Rejected::reason).containsExactly(reason);
    }

    @Test
    void theWholeRangeOfFourDigitYearsIsKept() {
        UplinkBatch batch = decodeWithGoodNeighbour(reading("\"rx\": 253402300799999, \"ts\": -62135596800000", "{}"));

        assertThat(batch.rejected()).isEmpty();
        assertThat(batch.readings().get(0).receivedAt()).isEqualTo(253402300799999L);
        assertThat(batch.readings().get(0).deviceTs()).isEqualTo(-62135596800000L);
    }

    /** Found by BatchCodecFuzzTest: v was read as an int, so 2^32 + 1 and 2^64 + 1 wrapped round to 1. */
    @Test
    void aVersionThatOnlyWrapsRoundToOneIsNotOne() {
        for (String v : new String[] {"4294967297", "18446744073709551617"}) {
            String json = "{\"v\": " + v + ", \"gateway\": \"gw\", \"batch\": \"b1\", \"readings\": [" + reading("\"rx\": 1763764800000", "{}") + "]}";
            BatchCodec.Result result = codec.decode(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
            assertThat(result).as("v = %s", v).isInstanceOf(BatchCodec.Invalid.class);
        }
    }

    private static String reading(String timeFields, String data) {
        return "{\"device\": \"d1\", \"type\": \"manhole\", \"kind\": \"telemetry\", " + timeFields + ", \"data\": " + data + "}";
    }

    /** Decodes the reading followed by a good one, which must always be kept. */
    private UplinkBatch decodeWithGoodNeighbour(String reading) {
        String json = "{\"v\": 1, \"gateway\": \"gw\", \"batch\": \"b1\", \"readings\": [" + reading
                + ", {\"device\": \"good\", \"type\": \"manhole\", \"kind\": \"telemetry\", \"rx\": 1763764800000, \"data\": {}}]}";
        BatchCodec.Result result = codec.decode(stream(json));
        assertThat(result).as(json).isInstanceOf(BatchCodec.Decoded.class);
        UplinkBatch batch = ((BatchCodec.Decoded) result).batch();
        assertThat(batch.readings()).extracting(IncomingReading::deviceId).endsWith("good");
        return batch;
    }

    @Test
    void tooManyReadingsIsInvalid() {
        StringBuilder sb = new StringBuilder("{\"v\":1,\"gateway\":\"gw\",\"batch\":\"b\",\"readings\":[");
        for (int i = 0; i <= BatchCodec.MAX_READINGS; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"device\":\"d\",\"type\":\"manhole\",\"kind\":\"telemetry\",\"rx\":1,\"data\":{}}");
        }
        sb.append("]}");

        assertThat(codec.decode(stream(sb.toString()))).isInstanceOf(BatchCodec.Invalid.class);
    }

    private static InputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }
}
