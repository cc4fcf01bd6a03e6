package org.communityguard.edge.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.communityguard.edge.device.DeviceType;
import org.communityguard.edge.device.Kind;
import org.communityguard.edge.device.Reading;
import org.communityguard.edge.device.ReadingSink.Admission;
import org.communityguard.edge.uplink.ReadingJson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durable buffer against a real SQLite file: what is accepted survives, a sealed batch keeps
 * its id across a restart, safety events jump the queue, the disk budget holds with the stated
 * overflow policy, and a damaged file never stops the gateway from starting.
 */
class UplinkBufferTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ReadingJson CODEC = new ReadingJson(JSON);

    @TempDir
    Path dir;
    private final List<UplinkBuffer> open = new ArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void closeAll() {
        open.forEach(UplinkBuffer::close);
    }

    private UplinkBuffer buffer(Path file, long budgetBytes, int drainPerSecond) {
        UplinkBuffer b = new UplinkBuffer(new UplinkBuffer.Settings(file, "gw-test", budgetBytes, drainPerSecond), CODEC,
                Clock.systemUTC(), registry);
        open.add(b);
        return b;
    }

    private UplinkBuffer buffer() {
        return buffer(dir.resolve("buffer.db"), 100_000_000, 0);
    }

    private static Reading telemetry(String device, long seq) {
        ObjectNode data = JsonNodeFactory.instance.objectNode().put("smoke_obscuration_pct_m", 0.4).put("battery_pct", 88);
        return new Reading(device, DeviceType.SMOKE_DETECTOR, Kind.TELEMETRY, 1_763_764_800_000L + seq, null, seq, Set.of(), data);
    }

    private static Reading alarm(String device, long seq) {
        ObjectNode data = JsonNodeFactory.instance.objectNode().put("event", "alarm").put("level", "alarm");
        return new Reading(device, DeviceType.SMOKE_DETECTOR, Kind.EVENT, 1_763_764_800_000L + seq, null, seq, Set.of(), data);
    }

    private static Admission offer(UplinkBuffer b, Reading r) {
        return b.offer(r).toCompletableFuture().join();
    }

    private static List<Reading> decode(Batch b) {
        return b.readings().stream().map(CODEC::decode).toList();
    }

    private static List<Long> seqs(Batch b) {
        return decode(b).stream().map(Reading::seq).toList();
    }

    @Test
    void whatWasAcceptedIsThereAfterAReopen() throws Exception {
        Path file = dir.resolve("buffer.db");
        UplinkBuffer first = buffer(file, 100_000_000, 0);
        for (long seq = 0; seq < 5; seq++) {
            assertThat(offer(first, telemetry("smoke-1", seq))).isEqualTo(Admission.ACCEPTED);
        }
        first.close();
        open.remove(first);

        UplinkBuffer second = buffer(file, 100_000_000, 0);
        assertThat(second.pendingReadings()).isEqualTo(5);
        Batch b = second.next(10, Duration.ZERO, Duration.ZERO);
        assertThat(seqs(b)).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(decode(b).get(0)).isEqualTo(telemetry("smoke-1", 0));
        assertThat(second.recent(3)).extracting(Reading::seq).containsExactly(2L, 3L, 4L);
    }

    @Test
    void aSealedBatchIsResentWithItsIdAfterACrash() throws Exception {
        Path file = dir.resolve("buffer.db");
        UplinkBuffer before = buffer(file, 100_000_000, 0);
        for (long seq = 0; seq < 5; seq++) {
            offer(before, telemetry("smoke-1", seq));
        }
        Batch sent = before.next(3, Duration.ZERO, Duration.ZERO);
        // The crash: the files as they are on disk now, the batch sent but never acknowledged.
        Path crashed = crashCopy(file, dir.resolve("crashed"));

        UplinkBuffer after = buffer(crashed, 100_000_000, 0);
        assertThat(after.pendingReadings()).isEqualTo(5);
        Batch resent = after.next(3, Duration.ZERO, Duration.ZERO);
        assertThat(resent.id()).isEqualTo(sent.id());
        assertThat(resent.number()).isEqualTo(sent.number());
        assertThat(seqs(resent)).isEqualTo(seqs(sent));
        Batch fresh = after.next(3, Duration.ZERO, Duration.ZERO);
        assertThat(fresh.id()).isNotEqualTo(sent.id());
        assertThat(fresh.number()).isGreaterThan(sent.number());
        assertThat(seqs(fresh)).containsExactly(3L, 4L);
    }

    @Test
    void acknowledgedBatchesAreForgottenAndUnacknowledgedOnesResentInOrder() throws Exception {
        UplinkBuffer b = buffer();
        for (long seq = 0; seq < 6; seq++) {
            offer(b, telemetry("smoke-1", seq));
        }
        Batch first = b.next(2, Duration.ZERO, Duration.ZERO);
        Batch second = b.next(2, Duration.ZERO, Duration.ZERO);
        b.resendAllInFlight();
        assertThat(b.next(2, Duration.ZERO, Duration.ZERO).id()).isEqualTo(first.id());
        assertThat(b.next(2, Duration.ZERO, Duration.ZERO).id()).isEqualTo(second.id());
        Batch third = b.next(2, Duration.ZERO, Duration.ZERO);
        assertThat(seqs(third)).containsExactly(4L, 5L);

        b.acknowledged(first.id());
        b.acknowledged(second.id());
        b.acknowledged(third.id());
        b.acknowledged(third.id()); // a late duplicate ack is harmless
        assertThat(b.pendingReadings()).isZero();
        assertThat(b.next(10, Duration.ZERO, Duration.ZERO)).isNull();
        // Acknowledged readings stay a while for duplicate detection after a crash.
        assertThat(b.recent(10)).hasSize(6);
    }

    @Test
    void safetyEventsJumpTheQueueAndEachDeviceKeepsItsOrder() throws Exception {
        UplinkBuffer b = buffer();
        for (long seq = 0; seq < 10; seq++) {
            offer(b, telemetry(seq % 2 == 0 ? "smoke-1" : "smoke-2", seq));
        }
        offer(b, alarm("smoke-3", 100));
        Batch batch = b.next(4, Duration.ZERO, Duration.ZERO);
        assertThat(seqs(batch)).containsExactly(100L, 0L, 1L, 2L);
        assertThat(seqs(b.next(10, Duration.ZERO, Duration.ZERO))).containsExactly(3L, 4L, 5L, 6L, 7L, 8L, 9L);
    }

    @Test
    void theDrainRateHoldsRoutineReadingsBackButNotSafetyEvents() throws Exception {
        UplinkBuffer b = buffer(dir.resolve("buffer.db"), 100_000_000, 5);
        for (long seq = 0; seq < 20; seq++) {
            offer(b, telemetry("smoke-1", seq));
        }
        offer(b, alarm("smoke-2", 100));
        offer(b, alarm("smoke-2", 101));
        // A full bucket holds one second's worth: five routine readings, behind both alarms.
        Batch batch = b.next(50, Duration.ZERO, Duration.ZERO);
        assertThat(seqs(batch)).containsExactly(100L, 101L, 0L, 1L, 2L, 3L, 4L);
        offer(b, alarm("smoke-2", 102));
        assertThat(seqs(b.next(50, Duration.ZERO, Duration.ZERO))).startsWith(102L);
    }

    @Test
    void aFullBudgetDropsTheOldestTelemetryReportsItAndNeverDropsEvents() throws Exception {
        long budget = 1_000_000;
        UplinkBuffer b = buffer(dir.resolve("buffer.db"), budget, 0);
        List<Long> alarms = new ArrayList<>();
        int n = 12_000;
        List<CompletableFuture<Admission>> answers = new ArrayList<>();
        for (long seq = 0; seq < n; seq++) {
            Reading r = seq % 1000 == 500 ? alarm("smoke-9", seq) : telemetry("smoke-" + seq % 50, seq);
            if (r.kind() == Kind.EVENT) {
                alarms.add(seq);
            }
            answers.add(b.offer(r).toCompletableFuture());
        }
        assertThat(answers).allSatisfy(a -> assertThat(a.join()).isEqualTo(Admission.ACCEPTED));
        // The budget held (within one group's rows of estimate), and telemetry was dropped oldest first.
        assertThat(b.usedBytes()).isLessThanOrEqualTo(budget + budget / 20);
        assertThat(Files.size(dir.resolve("buffer.db"))).isLessThanOrEqualTo(budget + budget / 5);
        double droppedCount = registry.get("edge.buffer.dropped.readings").counter().count();
        assertThat(droppedCount).isPositive();
        // Reports go out at most once a minute; closing reports the rest.
        b.close();
        open.remove(b);
        List<Reading> left = drainAll(buffer(dir.resolve("buffer.db"), budget, 0));
        List<Long> seqsLeft = left.stream().filter(r -> r.seq() != null).map(Reading::seq).toList();
        assertThat(seqsLeft).contains(n - 1L).doesNotContain(0L, 1L);
        assertThat(seqsLeft).containsAll(alarms);
        List<Long> telemetryLeft = left.stream().filter(r -> r.kind() == Kind.TELEMETRY).map(Reading::seq).toList();
        long oldestKept = telemetryLeft.get(0);
        assertThat(telemetryLeft).as("everything newer than the oldest kept telemetry is kept")
                .hasSize((int) (n - oldestKept - alarms.stream().filter(s -> s > oldestKept).count()));
        long droppedExpected = oldestKept - alarms.stream().filter(s -> s < oldestKept).count();
        assertThat((long) droppedCount).isEqualTo(droppedExpected);
        // The drops were reported to the hub as the gateway's own events, ahead of routine readings.
        List<JsonNode> reports = left.stream().filter(r -> r.type() == DeviceType.GATEWAY).map(r -> (JsonNode) r.data()).toList();
        assertThat(reports).hasSizeGreaterThanOrEqualTo(2);
        int firstTelemetry = left.indexOf(left.stream().filter(r -> r.kind() == Kind.TELEMETRY).findFirst().orElseThrow());
        assertThat(left.subList(0, firstTelemetry)).as("alarms and reports first").hasSize(alarms.size() + reports.size());
        assertThat(reports).allSatisfy(r -> assertThat(r.path("event").asText()).isEqualTo("buffer_overflow"));
        assertThat(reports.stream().mapToLong(r -> r.path("dropped_readings").asLong()).sum()).isEqualTo(droppedExpected);
        assertThat(reports.get(0).path("first_dropped_rx").asLong()).isEqualTo(telemetry("x", 0).receivedAt());
    }

    @Test
    void whenOnlyEventsAreLeftTheyUseTheReserveThenDevicesAreToldToRetry() throws Exception {
        long budget = 1_000_000;
        UplinkBuffer b = buffer(dir.resolve("buffer.db"), budget, 0);
        int accepted = 0;
        Admission last = Admission.ACCEPTED;
        long seq = 0;
        while (last == Admission.ACCEPTED && seq < 100_000) {
            List<CompletableFuture<Admission>> answers = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                answers.add(b.offer(alarm("smoke-1", seq++)).toCompletableFuture());
            }
            for (CompletableFuture<Admission> a : answers) {
                last = a.join();
                accepted += last == Admission.ACCEPTED ? 1 : 0;
            }
        }
        assertThat(last).isEqualTo(Admission.FULL);
        assertThat(offer(b, telemetry("smoke-2", 1))).as("no room for telemetry either").isEqualTo(Admission.FULL);
        // The cap is kept on estimated row sizes; pages make the real figure a page or two off.
        assertThat(b.usedBytes()).isGreaterThan(budget).isLessThanOrEqualTo(budget + budget * UplinkBuffer.RESERVE_PCT / 100 + 2 * 4096);
        assertThat(drainAll(b)).as("every accepted event is kept").hasSize(accepted);
    }

    @Test
    void aTornOrCorruptTailIsSkippedAndTheBufferOpens() throws Exception {
        Path file = dir.resolve("buffer.db");
        UplinkBuffer b = buffer(file, 100_000_000, 0);
        for (long seq = 0; seq < 100; seq++) {
            offer(b, telemetry("smoke-1", seq));
        }
        Path snapshot = crashCopy(file, dir.resolve("before-last"));
        long walBefore = Files.size(Path.of(snapshot + "-wal"));
        offer(b, telemetry("smoke-1", 100));
        Path crashed = crashCopy(file, dir.resolve("crashed"));
        Path wal = Path.of(crashed + "-wal");
        // The last commit reached the disk only in part, then garbage: cut its frames in half.
        long cut = walBefore + (Files.size(wal) - walBefore) / 2;
        try (RandomAccessFile raf = new RandomAccessFile(wal.toFile(), "rw")) {
            raf.setLength(cut);
            raf.seek(cut);
            raf.write("torn write: not a WAL frame at all".repeat(40).getBytes(StandardCharsets.US_ASCII));
        }

        UplinkBuffer after = buffer(crashed, 100_000_000, 0);
        List<Long> seqs = drainAll(after).stream().map(Reading::seq).toList();
        assertThat(seqs).hasSize(100).startsWith(0L).endsWith(99L);
        assertThat(offer(after, telemetry("smoke-1", 100))).isEqualTo(Admission.ACCEPTED);
    }

    @Test
    void aFileThatIsNoDatabaseIsMovedAsideAndANewOneStarted() throws Exception {
        Path file = dir.resolve("buffer.db");
        Files.write(file, "this is not a SQLite file, a power cut wrote over it".repeat(200).getBytes(StandardCharsets.US_ASCII));

        UplinkBuffer b = buffer(file, 100_000_000, 0);
        assertThat(b.pendingReadings()).isZero();
        assertThat(offer(b, telemetry("smoke-1", 1))).isEqualTo(Admission.ACCEPTED);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("buffer.db.corrupt-"));
        }
    }

    @Test
    void aBatchTheHubCallsMalformedIsSetAsideNotResent() throws Exception {
        Path file = dir.resolve("buffer.db");
        UplinkBuffer b = buffer(file, 100_000_000, 0);
        offer(b, telemetry("smoke-1", 1));
        Batch batch = b.next(10, Duration.ZERO, Duration.ZERO);
        b.deadLetter(batch.id(), "test");
        assertThat(b.pendingReadings()).isZero();
        b.resendAllInFlight();
        assertThat(b.next(10, Duration.ZERO, Duration.ZERO)).isNull();
        b.close();
        open.remove(b);
        UplinkBuffer reopened = buffer(file, 100_000_000, 0);
        assertThat(reopened.pendingReadings()).isZero();
        assertThat(reopened.next(10, Duration.ZERO, Duration.ZERO)).isNull();
    }

    /** Everything the buffer holds, in the order it would send it, acknowledging as it goes. */
    private static List<Reading> drainAll(UplinkBuffer b) throws InterruptedException {
        List<Reading> all = new ArrayList<>();
        Batch batch;
        while ((batch = b.next(5000, Duration.ZERO, Duration.ZERO)) != null) {
            all.addAll(decode(batch));
            b.acknowledged(batch.id());
        }
        return all;
    }

    /** Copies the database and its WAL as they are on disk right now: what a power cut would leave. */
    private static Path crashCopy(Path file, Path toDir) throws IOException {
        Files.createDirectories(toDir);
        Path copy = toDir.resolve(file.getFileName());
        Files.copy(file, copy);
        Path wal = Path.of(file + "-wal");
        if (Files.exists(wal)) {
            Files.copy(wal, Path.of(copy + "-wal"));
        }
        return copy;
    }
}
