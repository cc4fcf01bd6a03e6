package org.communityguard.edge.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.communityguard.testkit.fuzz.Choices;
import org.communityguard.testkit.fuzz.Fuzzing;
import org.junit.jupiter.api.Test;

/**
 * The MQTT status payload ({@code devices/{id}/status}: {@code online} or {@code offline} as plain
 * text, the device's will message) through {@link DeviceIngest#ingest}, {@value Fuzzing#SHORT_TRIES}
 * generated inputs ({@link DeviceStatusFuzzer} runs the same in deploy/bench.sh fuzz). A status
 * with surrounding white space is taken when the device's type is known (provisioned, or from its
 * last reading), refused {@code unknown_type} when it is not; anything else is refused with a
 * reason; nothing throws.
 */
class DeviceStatusFuzzTest {

    static final String DECODER = "device_status";
    static final Fuzzing.Property PROPERTY = DeviceStatusFuzzTest::check;

    private enum Mutation { NONE, CASE, QUOTED, EMPTY, OVERSIZE, NOT_TEXT, BAD_DEVICE_ID, RANDOM_TEXT, RANDOM_BYTES, BAD_UTF8 }

    @Test
    void statusPayloadsAreTakenOrRefusedWithAReason() {
        Fuzzing.run(DECODER, PROPERTY);
    }

    static Fuzzing.Verdict check(Choices in) throws Exception {
        String status = in.flip() ? "online" : "offline";
        String deviceId = DeviceMessageProperty.validId(in);
        DeviceType type = in.pick(List.of(DeviceType.LAMP_POST, DeviceType.MANHOLE, DeviceType.SMOKE_DETECTOR, DeviceType.DOOR_ACCESS));
        int known = in.between(0, 2); // 0: unknown, 1: provisioned, 2: seen in an earlier reading
        Map<String, DeviceType> provisioned = new HashMap<>();
        if (known == 1) {
            provisioned.put(deviceId, type);
        }
        Mutation mutation = in.pick(List.of(Mutation.values()));
        String text = Choices.pickFrom(in, "", " ", "\n", "\r\n", "\t ") + status + Choices.pickFrom(in, "", " ", "\n", "\r\n");
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        PayloadFormat format = PayloadFormat.TEXT;
        RejectReason expected = known == 0 ? RejectReason.UNKNOWN_TYPE : null;
        switch (mutation) {
            case CASE -> {
                payload = (status.substring(0, 1).toUpperCase() + status.substring(1)).getBytes(StandardCharsets.UTF_8);
                expected = RejectReason.MALFORMED;
            }
            case QUOTED -> {
                payload = ("\"" + status + "\"").getBytes(StandardCharsets.UTF_8);
                expected = RejectReason.MALFORMED;
            }
            case EMPTY -> {
                payload = new byte[0];
                expected = RejectReason.MALFORMED;
            }
            case OVERSIZE -> {
                payload = (status + " ".repeat(PayloadCodec.DEFAULT_MAX_PAYLOAD_BYTES)).getBytes(StandardCharsets.UTF_8);
                expected = RejectReason.TOO_LARGE;
            }
            case NOT_TEXT -> {
                format = in.pick(List.of(PayloadFormat.JSON, PayloadFormat.CBOR, PayloadFormat.UNSUPPORTED));
                expected = RejectReason.UNSUPPORTED_FORMAT;
            }
            case BAD_DEVICE_ID -> {
                deviceId = deviceId + "#";
                expected = RejectReason.BAD_DEVICE_ID;
            }
            case RANDOM_TEXT -> {
                payload = in.text(40).getBytes(StandardCharsets.UTF_8);
                expected = null;
            }
            case RANDOM_BYTES -> {
                payload = in.bytes(40);
                expected = null;
            }
            case BAD_UTF8 -> {
                payload = text.getBytes(StandardCharsets.UTF_8);
                payload[in.between(0, payload.length - 1)] = (byte) (int) Choices.pickFrom(in, 0x80, 0xC0, 0xFF, 0xED);
                expected = RejectReason.MALFORMED;
            }
            default -> {
            }
        }

        TestSink sink = new TestSink();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TestClock clock = new TestClock(1_763_764_800_000L);
        DeviceIngest ingest = new DeviceIngest(sink, Provisioning.of(provisioned),
                new DeviceCommands(8, Duration.ofMinutes(10), clock, registry), registry, clock, DeviceIngest.Settings.defaults());
        if (known == 2) {
            byte[] earlier = ("{\"v\":1,\"type\":\"" + type.wireName() + "\",\"data\":{}}").getBytes(StandardCharsets.UTF_8);
            assertThat(ingest.ingest(Protocol.MQTT, Kind.TELEMETRY, deviceId.replace("#", ""), PayloadFormat.JSON, earlier)
                    .toCompletableFuture().get(10, TimeUnit.SECONDS)).isInstanceOf(Outcome.Accepted.class);
        }
        int before = sink.accepted().size();
        Outcome outcome = ingest.ingest(Protocol.MQTT, Kind.STATUS, deviceId, format, payload)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);

        if (outcome instanceof Outcome.Rejected r) {
            assertThat(r.rejection().detail()).isNotBlank();
            assertThat(sink.accepted()).hasSize(before);
            if (expected != null) {
                assertThat(r.rejection().reason()).as("%s: %s", mutation, r.rejection().diagnostic()).isEqualTo(expected);
            }
            return Fuzzing.refused(r.rejection().reason().wireName());
        }
        assertThat(outcome).as("%s", mutation).isInstanceOf(Outcome.Accepted.class);
        assertThat(expected).as("%s was accepted", mutation).isNull();
        Reading reading = ((Outcome.Accepted) outcome).reading();
        assertThat(reading.kind()).isEqualTo(Kind.STATUS);
        String got = reading.data().path("status").asText();
        assertThat(got).isIn("online", "offline");
        assertThat(new String(payload, StandardCharsets.UTF_8).strip()).isEqualTo(got);
        if (mutation == Mutation.NONE) {
            assertThat(got).isEqualTo(status);
            assertThat(reading.type()).isEqualTo(type);
        }
        DeviceMessageProperty.assertStorableAtTheHub(reading);
        return Fuzzing.accepted();
    }
}
