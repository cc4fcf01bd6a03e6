package org.communityguard.edge.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
        UplinkBuffer b = new UplinkBuffer(new UplinkBuffer.Settings(file, "gw-test", budgetBytes, 0, drainPerSecond), CODEC,
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

    /**
     * A CoAP device retransmits an unanswered request for up to 45 s, and an agent killed after
     * buffering it but before answering meets the copy after its restart, often behind a burst
     * of the broker's redeliveries: what duplicate detection is given at start must reach back in
     * time, not by a count that a busy gateway passes in seconds.
     */
    @Test
    void duplicateDetectionIsGivenEveryReadingOfTheLastMinutesNotTheLastFewThousand() throws Exception {
        Path file = dir.resolve("buffer.db");
        UplinkBuffer before = buffer(file, 100_000_000, 0);
        long rx0 = telemetry("x", 0).receivedAt();
        Reading old = withRx(telemetry("coap-1", 1), rx0 - UplinkBuffer.RECALL_WINDOW.toMillis() - 1000);
        Reading unanswered = withRx(telemetry("coap-1", 2), rx0);
        List<CompletableFuture<Admission>> answers = new ArrayList<>();
        answers.add(before.offer(old).toCompletableFuture());
        answers.add(before.offer(unanswered).toCompletableFuture());
        // 40 s of a busy gateway after it: 15,000 readings, 375 a second.
        for (int i = 0; i < 15_000; i++) {
            answers.add(before.offer(withRx(telemetry("mqtt-" + i % 40, 100 + i), rx0 + i * 40L / 15)).toCompletableFuture());
            if (answers.size() % 5_000 == 0) {
                answers.get(answers.size() - 1).join();
            }
        }
        assertThat(answers).allSatisfy(a -> assertThat(a.join()).isEqualTo(Admission.ACCEPTED));
        before.close();
        open.remove(before);

        List<Reading> recalled = new ArrayList<>();
        assertThat(buffer(file, 100_000_000, 0).forDuplicateDetection(recalled::add)).isEqualTo(recalled.size());
        assertThat(recalled).as("oldest first").isSortedAccordingTo(java.util.Comparator.comparingLong(Reading::receivedAt));
        assertThat(recalled).as("the unanswered CoAP reading, 15,000 readings back").contains(unanswered);
        assertThat(recalled).as("nothing older than the window").doesNotContain(old);
    }

    private static Reading withRx(Reading r, long rx) {
        return new Reading(r.deviceId(), r.type(), r.kind(), rx, r.deviceTs(), r.seq(), r.flags(), r.data());
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
        // Safety events go in a batch of their own, so they can be resent ahead of routine
        // batches without reordering any device's routine readings (below).
        assertThat(seqs(b.next(4, Duration.ZERO, Duration.ZERO))).containsExactly(100L);
        assertThat(seqs(b.next(4, Duration.ZERO, Duration.ZERO))).containsExactly(0L, 1L, 2L, 3L);
        assertThat(seqs(b.next(10, Duration.ZERO, Duration.ZERO))).containsExactly(4L, 5L, 6L, 7L, 8L, 9L);
    }

    /**
     * After a reconnect everything in flight goes again: a batch of safety events first, not
     * behind the routine batches sealed before it (a hub that kept restarting held an alarm back
     * for minutes: bench.sh faults, hub kills), across a restart of the agent too.
     */
    @Test
    void afterAReconnectAlarmBatchesGoFirst() throws Exception {
        Path file = dir.resolve("buffer.db");
        UplinkBuffer b = buffer(file, 100_000_000, 0);
        for (long seq = 0; seq < 6; seq++) {
            offer(b, telemetry("smoke-1", seq));
        }
        Batch routine1 = b.next(3, Duration.ZERO, Duration.ZERO);
        Batch routine2 = b.next(3, Duration.ZERO, Duration.ZERO);
        offer(b, alarm("smoke-2", 100));
        Batch alarm = b.next(3, Duration.ZERO, Duration.ZERO);
        assertThat(seqs(alarm)).containsExactly(100L);

        b.resendAllInFlight();
        assertThat(b.next(3, Duration.ZERO, Duration.ZERO).id()).isEqualTo(alarm.id());
        assertThat(b.next(3, Duration.ZERO, Duration.ZERO).id()).isEqualTo(routine1.id());
        assertThat(b.next(3, Duration.ZERO, Duration.ZERO).id()).isEqualTo(routine2.id());

        Path crashed = crashCopy(file, dir.resolve("crashed"));
        UplinkBuffer after = buffer(crashed, 100_000_000, 0);
        assertThat(after.next(3, Duration.ZERO, Duration.ZERO).id()).as("after a restart too").isEqualTo(alarm.id());
        assertThat(after.next(3, Duration.ZERO, Duration.ZERO).id()).isEqualTo(routine1.id());
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
        assertThat(seqs(b.next(50, Duration.ZERO, Duration.ZERO))).containsExactly(100L, 101L);
        assertThat(seqs(b.next(50, Duration.ZERO, Duration.ZERO))).containsExactly(0L, 1L, 2L, 3L, 4L);
        offer(b, alarm("smoke-2", 102));
        assertThat(seqs(b.next(50, Duration.ZERO, Duration.ZERO))).containsExactly(102L);
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
            // Offers come in waves of 5,000 (a group can still be larger than the whole budget),
            // each answered before the next: past its queue bound of 10,000 unanswered offers the
            // buffer rightly says FULL, and 12,000 at once raced a writer slowed by a loaded machine.
            if (answers.size() % 5_000 == 0) {
                answers.get(answers.size() - 1).join();
            }
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
        // Moved aside, found to hold nothing readable, and deleted once that was settled.
        assertThat(registry.get("edge.buffer.salvaged.readings").counter().count()).isZero();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".corrupt-"));
        }
    }

    @Test
    void aFileDamagedInTheMiddleHasItsReadableRowsSalvagedAndSent() throws Exception {
        Path file = dir.resolve("buffer.db");
        UplinkBuffer before = buffer(file, 100_000_000, 0);
        for (long seq = 0; seq < 20; seq++) {
            offer(before, telemetry("smoke-1", seq));
        }
        // A batch sealed and sent, not acknowledged: after the salvage it must go out under its id.
        Batch sent = before.next(20, Duration.ZERO, Duration.ZERO);
        int n = 3000;
        List<CompletableFuture<Admission>> answers = new ArrayList<>();
        for (long seq = 20; seq < n; seq++) {
            answers.add(before.offer(seq % 100 == 7 ? alarm("smoke-1", seq) : telemetry("smoke-1", seq)).toCompletableFuture());
        }
        answers.forEach(CompletableFuture::join);
        before.close();
        open.remove(before);

        // Damage three leaf pages of the readings table in the middle of the file, not its tail.
        List<Long> leaves = new ArrayList<>();
        long damagedCells = 0;
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
             var s = c.createStatement();
             var rs = s.executeQuery("SELECT pageno, ncell FROM dbstat WHERE name = 'readings' AND pagetype = 'leaf' ORDER BY pageno")) {
            List<long[]> all = new ArrayList<>();
            while (rs.next()) {
                all.add(new long[] {rs.getLong(1), rs.getLong(2)});
            }
            for (int i = all.size() / 2; i < all.size() / 2 + 3; i++) {
                leaves.add(all.get(i)[0]);
                damagedCells += all.get(i)[1];
            }
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            byte[] garbage = new byte[4096];
            new java.util.Random(42).nextBytes(garbage);
            for (long page : leaves) {
                raf.seek((page - 1) * 4096);
                raf.write(garbage);
            }
        }

        UplinkBuffer after = buffer(file, 100_000_000, 0);
        long lost = n - after.pendingReadings();
        assertThat(lost).as("readings in the damaged pages").isPositive().isLessThanOrEqualTo(damagedCells);
        assertThat(registry.get("edge.buffer.salvage.unreadable").counter().count()).as("reported as unreadable, at most")
                .isGreaterThanOrEqualTo(lost);
        Batch resent = after.next(20, Duration.ZERO, Duration.ZERO);
        assertThat(resent.id()).isEqualTo(sent.id());
        assertThat(seqs(resent)).isEqualTo(seqs(sent));
        after.acknowledged(resent.id());
        List<Reading> rest = drainAll(after);
        List<Long> salvaged = rest.stream().map(Reading::seq).toList();
        assertThat(salvaged).hasSize(n - 20 - (int) lost).doesNotHaveDuplicates().doesNotContainAnyElementsOf(seqs(sent));
        // Intact, and in the order they came (alarms first, as always).
        assertThat(rest).allSatisfy(r -> assertThat(r).isEqualTo(r.kind() == Kind.EVENT ? alarm("smoke-1", r.seq())
                : telemetry("smoke-1", r.seq())));
        List<Long> telemetrySeqs = rest.stream().filter(r -> r.kind() == Kind.TELEMETRY).map(Reading::seq).toList();
        assertThat(telemetrySeqs).isSorted();
        // The lost readings are one run in the middle, where the pages were damaged.
        assertThat(salvaged).contains(20L, (long) n - 1);
        // The damaged file is gone once salvaged; opening again salvages nothing twice.
        after.close();
        open.remove(after);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(name -> name.contains(".corrupt-"));
        }
        assertThat(buffer(file, 100_000_000, 0).pendingReadings()).isZero();
    }

    @Test
    void deadLetteredBatchesAreRetriedUnderTheirIdAfterARestart() throws Exception {
        Path file = dir.resolve("buffer.db");
        UplinkBuffer b = buffer(file, 100_000_000, 0);
        offer(b, telemetry("smoke-1", 1));
        Batch batch = b.next(10, Duration.ZERO, Duration.ZERO);
        b.malformed(batch.id(), "test");
        b.close();
        open.remove(b);
        // After an upgrade (a contract mismatch fixed), the hub may take it: it is sent again, same id.
        UplinkBuffer reopened = buffer(file, 100_000_000, 0);
        assertThat(reopened.pendingReadings()).isEqualTo(1);
        Batch again = reopened.next(10, Duration.ZERO, Duration.ZERO);
        assertThat(again.id()).isEqualTo(batch.id());
        assertThat(seqs(again)).containsExactly(1L);
    }

    @Test
    void aBatchTheHubCallsMalformedIsSetAsideNotResent() throws Exception {
        Path file = dir.resolve("buffer.db");
        UplinkBuffer b = buffer(file, 100_000_000, 0);
        offer(b, telemetry("smoke-1", 1));
        Batch batch = b.next(10, Duration.ZERO, Duration.ZERO);
        b.malformed(batch.id(), "test");
        await().atMost(Duration.ofSeconds(10)).until(() -> b.deadLetterReadings() == 1);
        assertThat(b.pendingReadings()).isZero();
        b.resendAllInFlight();
        assertThat(b.next(10, Duration.ZERO, Duration.ZERO)).isNull();
        assertThat(registry.get("edge.buffer.dead_letter.readings").gauge().value()).isEqualTo(1);
    }

    @Test
    void aSealedBatchTooLargeForTheUplinkIsSplitIntoPartsThatKeepTheirIdsAcrossACrash() throws Exception {
        Path file = dir.resolve("buffer.db");
        UplinkBuffer before = buffer(file, 100_000_000, 0);
        for (long seq = 0; seq < 10; seq++) {
            offer(before, telemetry("smoke-1", seq));
        }
        offer(before, telemetry("smoke-2", 100));
        // Sealed under a generous limit (a hub with a larger maximum packet size), never acknowledged.
        Batch whole = before.next(10, Duration.ZERO, Duration.ZERO);
        int oneReading = UplinkBuffer.bytes(whole) / whole.size();
        before.resendAllInFlight();
        // The hub now takes a third of it per packet: the batch goes out as parts, in its place.
        int limit = oneReading * 4;
        List<Batch> parts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Batch part = before.next(10, limit, Duration.ZERO, Duration.ZERO);
            assertThat(UplinkBuffer.bytes(part)).isLessThanOrEqualTo(limit);
            assertThat(part.id()).isNotEqualTo(whole.id()).startsWith(whole.id() + ":");
            parts.add(part);
        }
        assertThat(parts.stream().flatMap(p -> seqs(p).stream()).toList()).isEqualTo(seqs(whole));
        // After a crash the parts, not the whole, are resent: each id still means the same readings,
        // even to a hub whose limit is generous again.
        UplinkBuffer after = buffer(crashCopy(file, dir.resolve("crashed")), 100_000_000, 0);
        List<Batch> resent = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            resent.add(after.next(10, Duration.ZERO, Duration.ZERO));
        }
        assertThat(resent).extracting(Batch::id).isEqualTo(parts.stream().map(Batch::id).toList());
        assertThat(resent).extracting(UplinkBufferTest::seqs).isEqualTo(parts.stream().map(UplinkBufferTest::seqs).toList());
        assertThat(seqs(after.next(10, Duration.ZERO, Duration.ZERO))).containsExactly(100L);
    }

    @Test
    void aReadingLargerThanAnyBatchIsDeadLetteredAndTheRestGoesOn() throws Exception {
        UplinkBuffer b = buffer();
        offer(b, telemetry("smoke-1", 1));
        ObjectNode huge = JsonNodeFactory.instance.objectNode().put("event", "linkage").put("rule", "x".repeat(5000));
        offer(b, new Reading("gw-test", DeviceType.GATEWAY, Kind.EVENT, 1_763_764_800_000L, null, null, Set.of(), huge));
        offer(b, telemetry("smoke-1", 2));
        Batch first = b.next(10, 4096, Duration.ZERO, Duration.ZERO);
        assertThat(seqs(first)).containsExactly(1L, 2L);
        assertThat(b.deadLetterReadings()).isEqualTo(1);
        assertThat(registry.get("edge.buffer.dead_lettered.readings").counter().count()).isEqualTo(1);
        b.acknowledged(first.id());
        assertThat(b.next(10, 4096, Duration.ZERO, Duration.ZERO)).isNull();
        assertThat(b.pendingReadings()).isZero();
    }

    @Test
    void aBatchRefusedAsMalformedIsSplitSoSafetyEventsAreRetriedAlone() throws Exception {
        UplinkBuffer b = buffer();
        for (long seq = 0; seq < 6; seq++) {
            offer(b, telemetry("smoke-1", seq));
        }
        offer(b, alarm("smoke-2", 100));
        offer(b, alarm("smoke-3", 200));
        // Safety events are sealed apart from routine readings: two refused batches.
        Batch refusedAlarms = b.next(10, Duration.ZERO, Duration.ZERO);
        Batch refusedRoutine = b.next(10, Duration.ZERO, Duration.ZERO);
        assertThat(refusedAlarms.size() + refusedRoutine.size()).isEqualTo(8);
        b.malformed(refusedAlarms.id(), "JSON parse error at offset 812");
        b.malformed(refusedRoutine.id(), "JSON parse error at offset 812");
        List<List<Long>> parts = new ArrayList<>();
        List<Batch> batches = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Batch part = b.next(10, Duration.ZERO, Duration.ofSeconds(10));
            batches.add(part);
            parts.add(seqs(part));
        }
        assertThat(parts).containsExactly(List.of(100L), List.of(200L), List.of(0L, 1L, 2L), List.of(3L, 4L, 5L));
        assertThat(b.pendingReadings()).isEqualTo(8);
        // The alarms are stored; one half is refused again: it is halved in turn, down to the
        // reading the hub refuses, which alone is dead-lettered.
        b.acknowledged(batches.get(0).id());
        b.acknowledged(batches.get(1).id());
        b.acknowledged(batches.get(3).id());
        b.malformed(batches.get(2).id(), "still malformed");
        Batch one = b.next(10, Duration.ZERO, Duration.ofSeconds(10));
        Batch two = b.next(10, Duration.ZERO, Duration.ofSeconds(10));
        assertThat(List.of(seqs(one), seqs(two))).containsExactly(List.of(0L), List.of(1L, 2L));
        b.acknowledged(two.id());
        b.malformed(one.id(), "this one is the bad one");
        await().atMost(Duration.ofSeconds(10)).until(() -> b.deadLetterReadings() == 1);
        assertThat(b.pendingReadings()).isZero();
        assertThat(b.next(10, Duration.ZERO, Duration.ZERO)).isNull();
    }

    @Test
    void aDiskWithLessRoomThanTheBudgetShrinksItAndTheOverflowPolicyApplies() throws Exception {
        long budget = 100_000_000;
        // The reserve covers the WAL (a few MB between checkpoints) and the rest of the gateway.
        long reserve = 6_000_000;
        // A disk with 16 MB for the buffer: what its files (database and WAL) take is gone from it.
        Path file = dir.resolve("buffer.db");
        long disk = 16_000_000;
        UplinkBuffer.FreeSpace free = () -> disk - size(file) - size(Path.of(file + "-wal"));
        UplinkBuffer b = new UplinkBuffer(new UplinkBuffer.Settings(file, "gw-test", budget, reserve, 0), free, CODEC,
                Clock.systemUTC(), registry);
        open.add(b);
        assertThat(b.budgetBytes()).as("the budget in force").isLessThanOrEqualTo(disk - reserve);
        assertThat(registry.get("edge.buffer.disk.budget.bytes").gauge().value()).isEqualTo((double) b.budgetBytes());
        List<Long> alarms = new ArrayList<>();
        List<CompletableFuture<Admission>> answers = new ArrayList<>();
        long minFree = Long.MAX_VALUE;
        for (long seq = 0; seq < 16_000; seq++) {
            Reading r = seq % 500 == 250 ? alarm("smoke-9", seq) : bulky("smoke-" + seq % 50, seq);
            if (r.kind() == Kind.EVENT) {
                alarms.add(seq);
            }
            answers.add(b.offer(r).toCompletableFuture());
            if (seq % 1000 == 999) {
                answers.forEach(CompletableFuture::join);
                minFree = Math.min(minFree, free.usableBytes());
            }
        }
        assertThat(answers).allSatisfy(a -> assertThat(a.join()).isEqualTo(Admission.ACCEPTED));
        // The buffer kept to the disk's room, leaving the reserve to the rest of the gateway, by
        // dropping its oldest telemetry as the budget says. (Within what one group commit adds to
        // the WAL before the next measure: here a few hundred KB. Without the bound the budget of
        // 100 MB would have filled the disk.)
        assertThat(minFree).isGreaterThanOrEqualTo(reserve / 2);
        assertThat(b.budgetBytes()).isLessThan(budget);
        assertThat(registry.get("edge.buffer.dropped.readings").counter().count()).isPositive();
        List<Long> kept = drainAll(b).stream().map(Reading::seq).filter(java.util.Objects::nonNull).toList();
        assertThat(kept).containsAll(alarms).contains(15_999L).doesNotContain(0L);
    }

    /** Telemetry of about 1 KB (a device at the profile's payload limit). */
    private static Reading bulky(String device, long seq) {
        ObjectNode data = JsonNodeFactory.instance.objectNode().put("smoke_obscuration_pct_m", 0.4).put("note", "x".repeat(900));
        return new Reading(device, DeviceType.SMOKE_DETECTOR, Kind.TELEMETRY, 1_763_764_800_000L + seq, null, seq, Set.of(), data);
    }

    private static long size(Path p) throws IOException {
        return Files.exists(p) ? Files.size(p) : 0;
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
