package org.communityguard.edge.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.communityguard.edge.device.Messages.bytes;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class DeviceIngestTest {

    private static final String LAMP = "{\"v\":1,\"type\":\"lamp_post\",\"seq\":%d,\"data\":{\"dim_pct\":80}}";

    private final TestClock clock = new TestClock(1_763_764_800_000L);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TestSink sink = new TestSink();
    private final DeviceCommands commands = new DeviceCommands(8, Duration.ofMinutes(10), clock, registry);
    private final DeviceIngest ingest = new DeviceIngest(sink, Provisioning.of(Map.of("lamp-1", DeviceType.LAMP_POST)),
            commands, registry, clock, new DeviceIngest.Settings(1024, 100, Duration.ofMinutes(1), Duration.ofSeconds(30)));

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger rejectionLogger = (Logger) LoggerFactory.getLogger(RejectionLog.class);

    @BeforeEach
    void captureRejectionLog() {
        log.start();
        rejectionLogger.addAppender(log);
    }

    @AfterEach
    void releaseRejectionLog() {
        rejectionLogger.detachAppender(log);
    }

    private Outcome send(Protocol protocol, Kind kind, String device, String payload) {
        return await(ingest.ingest(protocol, kind, device, kind == Kind.STATUS ? PayloadFormat.TEXT : PayloadFormat.JSON, bytes(payload)));
    }

    private Outcome telemetry(String device, String payload) {
        return send(Protocol.MQTT, Kind.TELEMETRY, device, payload);
    }

    private static Outcome await(CompletionStage<Outcome> stage) {
        try {
            return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("ingest did not complete normally", e);
        }
    }

    private double count(String name, String tag, String value) {
        return registry.get(name).tag(tag, value).counter().count();
    }

    @Test
    void validReadingReachesTheSinkAndIsCounted() {
        Outcome outcome = send(Protocol.COAP, Kind.TELEMETRY, "lamp-1", LAMP.formatted(1));

        assertThat(outcome).isInstanceOf(Outcome.Accepted.class);
        Reading reading = ((Outcome.Accepted) outcome).reading();
        assertThat(sink.accepted()).containsExactly(reading);
        assertThat(reading.receivedAt()).isEqualTo(clock.millis());
        assertThat(count("edge_readings_received_total", "protocol", "coap")).isEqualTo(1.0);
        assertThat(count("edge_readings_accepted_total", "protocol", "coap")).isEqualTo(1.0);
        assertThat(count("edge_readings_received_total", "protocol", "mqtt")).isZero();
    }

    @Test
    void rejectionIsCountedByReasonAndNothingReachesTheSink() {
        Outcome outcome = telemetry("lamp-1", "{\"v\":1,\"type\":\"lamp_post\",\"data\":{\"dim_pct\":101}}");

        assertThat(outcome).isEqualTo(new Outcome.Rejected(Rejection.of(RejectReason.BAD_FIELD, "data.dim_pct: 101 is outside 0..100")));
        assertThat(sink.offered()).isEmpty();
        assertThat(count("edge_readings_rejected_total", "reason", "bad_field")).isEqualTo(1.0);
        assertThat(count("edge_readings_received_total", "protocol", "mqtt")).isEqualTo(1.0);
    }

    @Test
    void everyReasonHasItsCounterFromTheStart() {
        for (RejectReason reason : RejectReason.values()) {
            assertThat(count("edge_readings_rejected_total", "reason", reason.wireName())).isZero();
        }
    }

    @Test
    void repeatedSeqIsAcknowledgedButNotForwarded() {
        telemetry("lamp-1", LAMP.formatted(7));
        Outcome again = telemetry("lamp-1", LAMP.formatted(7));

        assertThat(again).isInstanceOf(Outcome.Duplicate.class);
        assertThat(sink.accepted()).hasSize(1);
        assertThat(registry.get("edge_readings_duplicate_total").counter().count()).isEqualTo(1.0);
        // Same seq from another device is not a duplicate.
        assertThat(telemetry("lamp-2", LAMP.formatted(7))).isInstanceOf(Outcome.Accepted.class);
    }

    @Test
    void readingsWithoutSeqAreNeverDuplicates() {
        String noSeq = "{\"v\":1,\"type\":\"lamp_post\",\"data\":{\"dim_pct\":80}}";
        telemetry("lamp-1", noSeq);
        assertThat(telemetry("lamp-1", noSeq)).isInstanceOf(Outcome.Accepted.class);
        assertThat(sink.accepted()).hasSize(2);
    }

    @Test
    void seqWrapsAround() {
        telemetry("lamp-1", LAMP.formatted(4_294_967_295L));
        assertThat(telemetry("lamp-1", LAMP.formatted(0))).isInstanceOf(Outcome.Accepted.class);
        assertThat(telemetry("lamp-1", LAMP.formatted(4_294_967_295L))).isInstanceOf(Outcome.Duplicate.class);
    }

    @Test
    void fullSinkIsOverloadedAndTheSameSeqIsTakenWhenThereIsRoom() {
        sink.mode(TestSink.Mode.FULL);
        assertThat(telemetry("lamp-1", LAMP.formatted(9))).isEqualTo(new Outcome.Rejected(Rejection.OVERLOADED));
        assertThat(count("edge_readings_rejected_total", "reason", "overloaded")).isEqualTo(1.0);

        sink.mode(TestSink.Mode.ACCEPT);
        assertThat(telemetry("lamp-1", LAMP.formatted(9))).isInstanceOf(Outcome.Accepted.class);
        assertThat(sink.accepted()).extracting(Reading::seq).containsExactly(9L);
    }

    @Test
    void outcomeWaitsForTheSink() {
        sink.mode(TestSink.Mode.HOLD);
        CompletableFuture<Outcome> pending = ingest.ingest(Protocol.COAP, Kind.TELEMETRY, "lamp-1", PayloadFormat.JSON, bytes(LAMP.formatted(3)))
                .toCompletableFuture();

        assertThat(pending).isNotDone();
        assertThat(count("edge_readings_accepted_total", "protocol", "coap")).isZero();
        sink.releaseHeld();
        assertThat(await(pending)).isInstanceOf(Outcome.Accepted.class);
        assertThat(count("edge_readings_accepted_total", "protocol", "coap")).isEqualTo(1.0);
    }

    @Test
    void brokenSinkIsOverloadedNotAnException() {
        sink.mode(TestSink.Mode.THROW);
        assertThat(telemetry("lamp-1", LAMP.formatted(1))).isEqualTo(new Outcome.Rejected(Rejection.OVERLOADED));
        sink.mode(TestSink.Mode.FAIL);
        assertThat(telemetry("lamp-1", LAMP.formatted(2))).isEqualTo(new Outcome.Rejected(Rejection.OVERLOADED));
        assertThat(count("edge_readings_rejected_total", "reason", "overloaded")).isEqualTo(2.0);
    }

    @Test
    void statusTakesItsTypeFromTheLastReadingOfTheDevice() {
        assertThat(send(Protocol.MQTT, Kind.STATUS, "manhole-5", "online"))
                .isEqualTo(new Outcome.Rejected(Rejection.of(RejectReason.UNKNOWN_TYPE,
                        "status of a device whose type is unknown: not provisioned and no reading seen yet")));

        telemetry("manhole-5", "{\"v\":1,\"type\":\"manhole\",\"data\":{}}");
        Outcome status = send(Protocol.MQTT, Kind.STATUS, "manhole-5", "online");

        assertThat(status).isInstanceOf(Outcome.Accepted.class);
        Reading reading = ((Outcome.Accepted) status).reading();
        assertThat(reading.type()).isEqualTo(DeviceType.MANHOLE);
        assertThat(reading.kind()).isEqualTo(Kind.STATUS);
        assertThat(reading.flags()).containsExactly(Flag.UNPROVISIONED);
    }

    @Test
    void provisionedDeviceStatusNeedsNoEarlierReading() {
        Reading reading = ((Outcome.Accepted) send(Protocol.MQTT, Kind.STATUS, "lamp-1", "offline")).reading();
        assertThat(reading.type()).isEqualTo(DeviceType.LAMP_POST);
        assertThat(reading.data().path("status").textValue()).isEqualTo("offline");
    }

    @Test
    void unchangedStatusIsADuplicateAndAChangeIsNot() {
        assertThat(send(Protocol.MQTT, Kind.STATUS, "lamp-1", "online")).isInstanceOf(Outcome.Accepted.class);
        // The broker resends the retained status on every subscribe.
        assertThat(send(Protocol.MQTT, Kind.STATUS, "lamp-1", "online")).isInstanceOf(Outcome.Duplicate.class);
        assertThat(send(Protocol.MQTT, Kind.STATUS, "lamp-1", "offline")).isInstanceOf(Outcome.Accepted.class);
        assertThat(send(Protocol.MQTT, Kind.STATUS, "lamp-1", "online")).isInstanceOf(Outcome.Accepted.class);
    }

    @Test
    void statusMustBePlainText() {
        Outcome outcome = await(ingest.ingest(Protocol.MQTT, Kind.STATUS, "lamp-1", PayloadFormat.JSON, bytes("online")));
        assertThat(outcome).isInstanceOf(Outcome.Rejected.class);
        assertThat(((Outcome.Rejected) outcome).rejection().reason()).isEqualTo(RejectReason.UNSUPPORTED_FORMAT);
        Outcome huge = send(Protocol.MQTT, Kind.STATUS, "lamp-1", "o".repeat(2000));
        assertThat(((Outcome.Rejected) huge).rejection().reason()).isEqualTo(RejectReason.TOO_LARGE);
    }

    @Test
    void commandAckRemovesThePendingCommand() {
        PendingCommand command = commands.send("lamp-1", new DeviceCommand.Lamp(true, 100, false));
        String ack = "{\"v\":1,\"type\":\"lamp_post\",\"seq\":50,\"data\":{\"event\":\"command_ack\",\"id\":\"" + command.id() + "\"}}";

        assertThat(send(Protocol.MQTT, Kind.EVENT, "lamp-1", ack)).isInstanceOf(Outcome.Accepted.class);
        assertThat(commands.pending("lamp-1")).isEmpty();
        assertThat(sink.accepted()).hasSize(1);
    }

    @Test
    void commandAckNotTakenBySinkLeavesTheCommandPending() {
        PendingCommand command = commands.send("lamp-1", new DeviceCommand.Lamp(true, 100, false));
        sink.mode(TestSink.Mode.FULL);
        send(Protocol.COAP, Kind.EVENT, "lamp-1", "{\"v\":1,\"type\":\"lamp_post\",\"data\":{\"event\":\"command_ack\",\"id\":\"" + command.id() + "\"}}");
        assertThat(commands.pending("lamp-1")).containsExactly(command);
    }

    @Test
    void badDeviceIdIsRejectedBeforeDecoding() {
        Outcome outcome = telemetry("bad id!", "not even json");
        assertThat(((Outcome.Rejected) outcome).rejection().reason()).isEqualTo(RejectReason.BAD_DEVICE_ID);
    }

    @Test
    void unsupportedFormatAndOversizeAreRejections() {
        Outcome text = await(ingest.ingest(Protocol.COAP, Kind.TELEMETRY, "lamp-1", PayloadFormat.UNSUPPORTED, bytes(LAMP.formatted(1))));
        assertThat(((Outcome.Rejected) text).rejection().reason()).isEqualTo(RejectReason.UNSUPPORTED_FORMAT);
        Outcome big = telemetry("lamp-1", "{\"v\":1,\"type\":\"lamp_post\",\"data\":{\"x\":\"" + "y".repeat(1100) + "\"}}");
        assertThat(((Outcome.Rejected) big).rejection().reason()).isEqualTo(RejectReason.TOO_LARGE);
    }

    @Test
    void garbageNeverThrowsAndAlwaysCompletes() {
        Random random = new Random(42);
        String valid = "{\"v\":1,\"type\":\"door_access\",\"seq\":1,\"data\":{\"event\":\"access\",\"result\":\"granted\",\"open_s\":3}}";
        byte[] template = bytes(valid);
        for (int i = 0; i < 3000; i++) {
            byte[] payload;
            if (i % 3 == 0) {
                payload = new byte[random.nextInt(1100)];
                random.nextBytes(payload);
            } else {
                // Mutate a valid message: breaks it in plausible ways.
                payload = template.clone();
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                    payload[random.nextInt(payload.length)] = (byte) random.nextInt(256);
                }
            }
            Kind kind = Kind.values()[random.nextInt(3)];
            PayloadFormat format = PayloadFormat.values()[random.nextInt(PayloadFormat.values().length)];
            Outcome outcome = await(ingest.ingest(Protocol.COAP, kind, "door-1", format, payload));
            assertThat(outcome).isNotNull();
        }
        double received = count("edge_readings_received_total", "protocol", "coap");
        double accounted = count("edge_readings_accepted_total", "protocol", "coap")
                + registry.get("edge_readings_duplicate_total").counter().count()
                + registry.get("edge_readings_rejected_total").counters().stream().mapToDouble(c -> c.count()).sum();
        assertThat(received).isEqualTo(3000.0);
        assertThat(accounted).isEqualTo(received);
    }

    @Test
    void rejectionsAreLoggedOncePerDevicePerIntervalWithTheCountHeldBack() {
        for (int i = 0; i < 100; i++) {
            telemetry("lamp-1", "{\"v\":2}");
        }
        telemetry("lamp-2", "{\"v\":2}");

        List<String> lines = log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).isEqualTo("rejected mqtt message from device lamp-1: bad_version: v must be 1, not 2");
        assertThat(lines.get(1)).contains("lamp-2");
        assertThat(log.list.get(0).getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);

        clock.advance(Duration.ofMinutes(1));
        telemetry("lamp-1", "{\"v\":2}");
        assertThat(log.list).hasSize(3);
        assertThat(log.list.get(2).getFormattedMessage()).endsWith("(99 similar lines suppressed)");
        assertThat(count("edge_readings_rejected_total", "reason", "bad_version")).isEqualTo(102.0);
    }

    @Test
    void aCardNumberIsInNeitherTheAnswerNorTheLog() {
        Outcome numeric = send(Protocol.MQTT, Kind.EVENT, "door-1",
                "{\"v\":1,\"type\":\"door_access\",\"data\":{\"event\":\"access\",\"result\":\"denied\",\"subject\":9876543210}}");
        Outcome unquoted = send(Protocol.MQTT, Kind.EVENT, "door-2",
                "{\"v\":1,\"type\":\"door_access\",\"data\":{\"event\":\"access\",\"result\":\"denied\",\"subject\":CARD9876543210}}");

        assertThat(((Outcome.Rejected) numeric).rejection().reason()).isEqualTo(RejectReason.BAD_FIELD);
        assertThat(((Outcome.Rejected) unquoted).rejection().reason()).isEqualTo(RejectReason.MALFORMED);
        for (Outcome outcome : List.of(numeric, unquoted)) {
            assertThat(new String(ingest.answers().errorJson(((Outcome.Rejected) outcome).rejection()), java.nio.charset.StandardCharsets.UTF_8))
                    .doesNotContain("9876543210");
        }
        assertThat(log.list).hasSize(2).allSatisfy(line -> assertThat(line.getFormattedMessage()).doesNotContain("9876543210"));
    }

    @Test
    void hostileDeviceIdsShareOneLogSlotAndAreMadePrintable() {
        for (int i = 0; i < 50; i++) {
            telemetry("evil\n" + i, "{}");
        }
        assertThat(log.list).hasSize(1);
        assertThat(log.list.get(0).getFormattedMessage()).contains("evil\\u000a0").doesNotContain("\n");
    }
}
