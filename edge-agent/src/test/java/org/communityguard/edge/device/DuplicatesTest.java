package org.communityguard.edge.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.communityguard.edge.device.Messages.bytes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.communityguard.edge.linkage.Linkage;
import org.communityguard.edge.privacy.Pseudonyms;
import org.communityguard.edge.site.Site;
import org.communityguard.edge.uplink.ReadingJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Duplicate detection recognizes a retransmission (the same message again: a CoAP retry, a
 * broker's redelivery, a device resending an unacknowledged publish) and nothing else. A device
 * that restarts its counter sends the same seqs again with new content: those are new readings,
 * and an alarm among them must reach linkage.
 */
class DuplicatesTest {

    private static final long T0 = 1_763_764_800_000L;
    private static final long MAX_SEQ = 4_294_967_295L;
    /** How long a reading without a trustworthy device time can have a copy on its way (docs/devices.md, Duplicates). */
    private static final Duration COPY_WINDOW = Duration.ofMinutes(5);

    private final TestClock clock = new TestClock(T0);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TestSink sink = new TestSink();
    private final DeviceCommands commands = new DeviceCommands(16, Duration.ofMinutes(10), clock, registry);

    private DeviceIngest ingest(ReadingSink into) {
        return new DeviceIngest(into, Provisioning.none(), commands, registry, clock,
                new DeviceIngest.Settings(1024, 100, Duration.ofMinutes(1), Duration.ofSeconds(30)));
    }

    private final DeviceIngest ingest = ingest(sink);

    private static String smoke(long seq, Long ts, double temp) {
        return "{\"v\":1,\"type\":\"smoke_detector\"" + (ts == null ? "" : ",\"ts\":" + ts) + ",\"seq\":" + seq
                + ",\"data\":{\"temp_c\":" + temp + ",\"battery_pct\":80}}";
    }

    private static String alarm(long seq, Long ts) {
        return "{\"v\":1,\"type\":\"smoke_detector\"" + (ts == null ? "" : ",\"ts\":" + ts) + ",\"seq\":" + seq
                + ",\"data\":{\"event\":\"alarm\",\"level\":\"alarm\"}}";
    }

    private Outcome send(DeviceIngest into, Kind kind, String device, PayloadFormat format, byte[] payload) {
        try {
            return into.ingest(Protocol.COAP, kind, device, format, payload).toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private Outcome telemetry(String payload) {
        return send(ingest, Kind.TELEMETRY, "smoke-1", PayloadFormat.JSON, bytes(payload));
    }

    private Outcome event(String payload) {
        return send(ingest, Kind.EVENT, "smoke-1", PayloadFormat.JSON, bytes(payload));
    }

    /** The device's time of the reading with this seq, one a second from T0. */
    private static long tsOf(long seq, long from) {
        return T0 + (seq - from) * 1000;
    }

    /** A detector that has been up a while: seqs from..top, one reading a second, the gateway's clock along. */
    private void upTo(long from, long top) {
        for (long seq = from; seq <= top; seq++) {
            clock.advance(Duration.ofSeconds(1));
            assertThat(telemetry(smoke(seq, tsOf(seq, from), 21.0))).isInstanceOf(Outcome.Accepted.class);
        }
        clock.advance(Duration.ofSeconds(3));
    }

    @ParameterizedTest(name = "reboot to seq {0}")
    @ValueSource(longs = {0, 1, 300, 5000})
    void aRebootedDeviceIsHeardAtSeqsItUsedBefore(long restartAt) {
        // Up for a while before: its last 200 seqs are remembered, the ones it will use again among them.
        upTo(restartAt, restartAt + 200);
        long bootedAt = clock.millis();

        // The device restarts its counter at restartAt: same seqs, new times (and here even the same data).
        for (long seq = restartAt; seq < restartAt + 20; seq++) {
            clock.advance(Duration.ofSeconds(1));
            assertThat(telemetry(smoke(seq, bootedAt + (seq - restartAt) * 1000, 21.0))).as("seq %d after the reboot", seq)
                    .isInstanceOf(Outcome.Accepted.class);
        }
        assertThat(event(alarm(restartAt + 20, bootedAt + 20_000))).isInstanceOf(Outcome.Accepted.class);
        assertThat(sink.accepted()).last().satisfies(r -> assertThat(r.data().path("event").asText()).isEqualTo("alarm"));
    }

    @Test
    void aRebootedDeviceWithoutAClockIsHeardWhenItsDataDiffers() {
        for (long seq = 0; seq <= 100; seq++) {
            telemetry(smoke(seq, null, 21.0));
        }
        // Reboot: seq 0 again, no ts, other data.
        assertThat(telemetry(smoke(0, null, 22.5))).isInstanceOf(Outcome.Accepted.class);
        // The same seq and data as before the reboot is taken for a copy only while a copy could still come.
        assertThat(telemetry(smoke(1, null, 21.0))).isInstanceOf(Outcome.Duplicate.class);
        clock.advance(COPY_WINDOW.plusSeconds(1));
        assertThat(telemetry(smoke(2, null, 21.0))).isInstanceOf(Outcome.Accepted.class);
    }

    /**
     * A copy that arrives while the original is still being written (a CoAP device retrying a
     * request the agent is slow to answer, the broker redelivering at a reconnect) waits for the
     * original: a copy of a reading that was buffered is a duplicate, never a second row.
     */
    @Test
    void aCopyArrivingWhileTheOriginalIsBeingWrittenWaitsForIt() throws Exception {
        sink.mode(TestSink.Mode.HOLD);
        byte[] payload = bytes(smoke(7, T0, 21.0));
        var first = ingest.ingest(Protocol.COAP, Kind.TELEMETRY, "smoke-1", PayloadFormat.JSON, payload).toCompletableFuture();
        var copy = ingest.ingest(Protocol.COAP, Kind.TELEMETRY, "smoke-1", PayloadFormat.JSON, payload).toCompletableFuture();
        assertThat(copy).as("the copy waits for the original's answer").isNotDone();

        sink.releaseHeld();
        assertThat(first.get(5, TimeUnit.SECONDS)).isInstanceOf(Outcome.Accepted.class);
        assertThat(copy.get(5, TimeUnit.SECONDS)).isInstanceOf(Outcome.Duplicate.class);
        assertThat(sink.offered()).as("offered to the buffer once").hasSize(1);
    }

    /** An original the buffer refused leaves its copy to be offered in its own right. */
    @Test
    void aCopyOfAnOriginalTheBufferRefusedIsOfferedItself() throws Exception {
        sink.mode(TestSink.Mode.HOLD);
        byte[] payload = bytes(alarm(8, T0));
        var first = ingest.ingest(Protocol.COAP, Kind.EVENT, "smoke-1", PayloadFormat.JSON, payload).toCompletableFuture();
        var copy = ingest.ingest(Protocol.COAP, Kind.EVENT, "smoke-1", PayloadFormat.JSON, payload).toCompletableFuture();
        sink.mode(TestSink.Mode.ACCEPT);
        sink.refuseHeld();

        assertThat(first.get(5, TimeUnit.SECONDS)).isInstanceOf(Outcome.Rejected.class);
        assertThat(copy.get(5, TimeUnit.SECONDS)).isInstanceOf(Outcome.Accepted.class);
        assertThat(sink.accepted()).singleElement().satisfies(r -> assertThat(r.data().path("event").asText()).isEqualTo("alarm"));
    }

    @Test
    void aRetransmissionIsStillRecognized() {
        upTo(0, 500);
        String sent = smoke(480, tsOf(480, 0), 21.0);
        assertThat(telemetry(sent)).as("a copy, after newer readings").isInstanceOf(Outcome.Duplicate.class);
        // The same message in CBOR (the same tree): still a copy.
        byte[] cbor = cbor(sent);
        assertThat(send(ingest, Kind.TELEMETRY, "smoke-1", PayloadFormat.CBOR, cbor)).isInstanceOf(Outcome.Duplicate.class);
        // A copy long after its original, as a broker redelivers after an outage: the device time says it is the same.
        clock.advance(Duration.ofHours(2));
        assertThat(telemetry(smoke(500, tsOf(500, 0), 21.0))).isInstanceOf(Outcome.Duplicate.class);
        assertThat(event(alarm(501, clock.millis()))).isInstanceOf(Outcome.Accepted.class);
        assertThat(event(alarm(501, clock.millis()))).isInstanceOf(Outcome.Duplicate.class);
        // Same device, same seq and time, other data: not a copy (whatever the device meant by it).
        assertThat(telemetry(smoke(500, tsOf(500, 0), 35.0))).isInstanceOf(Outcome.Accepted.class);
        assertThat(registry.get("edge_readings_duplicate_total").counter().count()).isEqualTo(4.0);
    }

    @Test
    void seqWrapsAroundAt2To32() {
        long ts = T0;
        for (long seq = MAX_SEQ - 5; seq <= MAX_SEQ; seq++) {
            assertThat(telemetry(smoke(seq, ts += 1000, 21.0))).isInstanceOf(Outcome.Accepted.class);
        }
        for (long seq = 0; seq < 5; seq++) {
            assertThat(telemetry(smoke(seq, ts += 1000, 21.0))).as("seq %d after the wrap", seq).isInstanceOf(Outcome.Accepted.class);
        }
        assertThat(telemetry(smoke(MAX_SEQ, T0 + 6000, 21.0))).as("a late copy from before the wrap").isInstanceOf(Outcome.Duplicate.class);
        assertThat(telemetry(smoke(0, T0 + 7000, 21.0))).isInstanceOf(Outcome.Duplicate.class);
    }

    @Test
    void anAlarmWithoutSeqIsNeverDropped() {
        String noSeq = "{\"v\":1,\"type\":\"smoke_detector\",\"ts\":" + T0 + ",\"data\":{\"event\":\"alarm\",\"level\":\"alarm\"}}";
        assertThat(event(noSeq)).isInstanceOf(Outcome.Accepted.class);
        assertThat(event(noSeq)).isInstanceOf(Outcome.Accepted.class);
        String noSeqNoTs = "{\"v\":1,\"type\":\"smoke_detector\",\"data\":{\"event\":\"alarm\",\"level\":\"alarm\"}}";
        assertThat(event(noSeqNoTs)).isInstanceOf(Outcome.Accepted.class);
        assertThat(event(noSeqNoTs)).isInstanceOf(Outcome.Accepted.class);
    }

    @Test
    void telemetryWithoutSeqIsACopyOnlyWithTheSameDeviceTime() {
        String timed = "{\"v\":1,\"type\":\"smoke_detector\",\"ts\":" + T0 + ",\"data\":{\"temp_c\":21.0}}";
        assertThat(telemetry(timed)).isInstanceOf(Outcome.Accepted.class);
        assertThat(telemetry(timed)).isInstanceOf(Outcome.Duplicate.class);
        // Without ts nothing tells a copy from the same value measured again.
        String untimed = "{\"v\":1,\"type\":\"smoke_detector\",\"data\":{\"temp_c\":21.0}}";
        assertThat(telemetry(untimed)).isInstanceOf(Outcome.Accepted.class);
        assertThat(telemetry(untimed)).isInstanceOf(Outcome.Accepted.class);
    }

    @Test
    void aSkewedDeviceClockCountsAsNoClock() {
        // A clock an hour off (a device that lost its time at boot and counts from a fixed start)
        // cannot tell two boots apart: the copy window applies as for no ts.
        long badClock = T0 - Duration.ofHours(1).toMillis();
        assertThat(telemetry(smoke(3, badClock, 21.0))).isInstanceOf(Outcome.Accepted.class);
        assertThat(telemetry(smoke(3, badClock, 21.0))).isInstanceOf(Outcome.Duplicate.class);
        clock.advance(COPY_WINDOW.plusSeconds(1));
        assertThat(telemetry(smoke(3, badClock, 21.0))).isInstanceOf(Outcome.Accepted.class);
    }

    /**
     * After a restart the gateway knows its last readings only from the buffer, where a door's
     * card number is already a pseudonym: a copy of that access event is still recognized.
     */
    @Test
    void aCopyOfABufferedAccessEventIsRecognizedAfterARestart() {
        List<Reading> buffered = new ArrayList<>();
        ReadingJson json = new ReadingJson(new ObjectMapper());
        Pseudonyms privacy = new Pseudonyms("community-secret-0123456789-abcdef", r -> {
            buffered.add(json.decode(json.encode(r)));
            return java.util.concurrent.CompletableFuture.completedFuture(ReadingSink.Admission.ACCEPTED);
        });
        String access = "{\"v\":1,\"type\":\"door_access\",\"ts\":" + T0 + ",\"seq\":77,\"data\":{\"event\":\"access\","
                + "\"result\":\"granted\",\"method\":\"card\",\"subject\":\"CARD-0012345678\",\"card_no\":4400112233}}";
        assertThat(send(ingest(privacy), Kind.EVENT, "door-1", PayloadFormat.JSON, bytes(access))).isInstanceOf(Outcome.Accepted.class);
        assertThat(buffered.get(0).data().toString()).doesNotContain("0012345678").doesNotContain("4400112233");

        DeviceIngest restarted = ingest(sink);
        buffered.forEach(restarted::recall);
        assertThat(send(restarted, Kind.EVENT, "door-1", PayloadFormat.JSON, bytes(access))).isInstanceOf(Outcome.Duplicate.class);
        String anotherCard = access.replace("seq\":77", "seq\":78").replace("CARD-0012345678", "CARD-0099999999");
        assertThat(send(restarted, Kind.EVENT, "door-1", PayloadFormat.JSON, bytes(anotherCard))).isInstanceOf(Outcome.Accepted.class);
    }

    /** The case: a detector at seq 300 reboots to 0; its alarm at a seq seen before releases the doors. */
    @Test
    void aRebootedDetectorsAlarmAtASeqSeenBeforeReleasesTheDoors() {
        Site site = Site.load(Path.of("..", "deploy", "demo", "site.yaml"), "gw-sunny-1");
        DeviceIngest withLinkage = ingest(new Linkage(sink, site, commands, "gw-sunny-1", clock, registry));
        for (long seq = 0; seq <= 300; seq++) {
            clock.advance(Duration.ofSeconds(1));
            send(withLinkage, Kind.TELEMETRY, "smoke-b1-01", PayloadFormat.JSON, bytes(smoke(seq, clock.millis(), 21.0)));
        }
        clock.advance(Duration.ofSeconds(30));
        long bootedAt = clock.millis();
        for (long seq = 0; seq < 12; seq++) {
            send(withLinkage, Kind.TELEMETRY, "smoke-b1-01", PayloadFormat.JSON, bytes(smoke(seq, bootedAt + seq * 1000, 21.0)));
        }

        Outcome fire = send(withLinkage, Kind.EVENT, "smoke-b1-01", PayloadFormat.JSON, bytes(alarm(12, bootedAt + 12_000)));

        assertThat(fire).isInstanceOf(Outcome.Accepted.class);
        for (String door : List.of("door-b1-01", "door-b1-02")) {
            assertThat(commands.pending(door)).as(door).singleElement()
                    .satisfies(c -> assertThat(c.body().path("action").asText()).isEqualTo("release"));
        }
    }

    private static byte[] cbor(String json) {
        try {
            return new ObjectMapper(new CBORFactory()).writeValueAsBytes(new ObjectMapper().readTree(json));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
