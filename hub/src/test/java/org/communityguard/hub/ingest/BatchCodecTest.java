package org.communityguard.hub.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
