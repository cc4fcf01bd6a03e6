package org.communityguard.edge.buffer;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.function.Consumer;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.communityguard.edge.device.DeviceType;
import org.communityguard.edge.device.Kind;
import org.communityguard.edge.device.Reading;
import org.communityguard.edge.device.ReadingSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds readings on disk until the hub has acknowledged them (docs/edge-storage.md).
 *
 * <pre>
 *  offer() ──► work queue ──► writer thread: one transaction per group ──► commit (fsync) ──► ACCEPTED
 *                              (inserts, seals, acks, overflow drops)
 *  next()  ──► a sealed batch to resend, else: seal loose readings (priority lane first, the
 *              normal lane at the drain rate) through the writer, committed before it is returned
 * </pre>
 *
 * <p><b>Durable.</b> {@link #offer} completes ACCEPTED only after the reading's transaction is
 * committed with {@code synchronous=FULL}: the device is acknowledged for what is on disk. Offers
 * arriving together share one commit (group commit), which is what makes thousands per second
 * possible on a slow SD card.
 *
 * <p><b>Stored once.</b> A batch's id and members are committed before the batch is first
 * returned by {@link #next}. After a crash, every batch sealed and not acknowledged is resent
 * first, with its original id and readings, so the hub, which deduplicates on the id, stores
 * it once.
 *
 * <p><b>Bounded.</b> The file's used pages stay within the effective budget: {@code budgetBytes},
 * or less when the filesystem has less room (its usable space minus {@code reserveBytes}, which is
 * left to the rest of the gateway). When a group would pass it, acknowledged readings kept for
 * duplicate detection go first, then the oldest loose telemetry, then the telemetry of batches the
 * hub refused as malformed (each drop counted, and reported to the hub as a {@code buffer_overflow}
 * event). Events and status readings are never dropped: they may use a further
 * {@value #RESERVE_PCT}% of the budget (or half the disk reserve), and past that the device is told
 * to retry (FULL).
 *
 * <p><b>Never stuck.</b> A batch is never larger than the uplink can send ({@link #next}'s
 * {@code maxBytes}): one sealed under a larger limit is split into parts that fit, and a single
 * reading too large for any batch is dead-lettered. A batch the hub refuses as malformed is split
 * so its safety events are retried alone and the rest in halves, down to the single readings the
 * hub refuses, which are dead-lettered: kept, counted, and sent again after the next start (an
 * agent upgrade is what fixes a contract mismatch). A damaged file is salvaged
 * ({@link BufferSalvage}).
 *
 * <p><b>Safety first.</b> Safety events and the gateway's own events go into the priority lane,
 * sealed before anything else and not subject to the drain rate; within a lane readings leave
 * in arrival order, so each device's readings keep their order.
 */
public final class UplinkBuffer implements ReadingSink, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UplinkBuffer.class);

    /** Estimated bytes a reading costs on disk beyond its JSON body (row header, two index entries). */
    static final int ROW_OVERHEAD = 48;
    /** How far past the budget events and status readings may go before devices are told to retry. */
    static final int RESERVE_PCT = 10;
    /**
     * How long an acknowledged batch's readings stay on disk. A reading acknowledged by the hub
     * just before a crash may come again from its device (the broker never got our PUBACK);
     * kept, it is recognized as a duplicate after the restart.
     */
    static final Duration ACKED_GRACE = Duration.ofMinutes(2);
    /** How far back before the newest reading duplicate detection is given readings at start. */
    public static final Duration RECALL_WINDOW = Duration.ofMinutes(5);
    /** At most this many, what duplicate detection can hold in all (about 4.5 MB). */
    static final int RECALL_MAX = 262_144;
    static final Duration OVERFLOW_REPORT_INTERVAL = Duration.ofMinutes(1);
    private static final int MAX_QUEUED_OFFERS = 10_000;
    private static final int MAX_GROUP = 5_000;
    private static final long PURGE_EVERY_MS = 10_000;

    private static final CompletionStage<Admission> FULL = CompletableFuture.completedFuture(Admission.FULL);

    /**
     * @param file             the SQLite file
     * @param gatewayId        names the gateway in its own {@code buffer_overflow} reports
     * @param budgetBytes      disk the buffer may use
     * @param reserveBytes     disk left free for the rest of the gateway: the budget shrinks to fit
     * @param drainPerSecond   normal-lane readings sealed per second at most (0: no limit)
     */
    public record Settings(Path file, String gatewayId, long budgetBytes, long reserveBytes, int drainPerSecond) {
    }

    /** Usable bytes left on the buffer's filesystem; injectable so tests can fill a disk. */
    @FunctionalInterface
    public interface FreeSpace {
        long usableBytes() throws IOException;

        /** The real filesystem of {@code file}. */
        static FreeSpace of(Path file) {
            Path dir = file.toAbsolutePath().getParent();
            return () -> Files.getFileStore(dir).getUsableSpace();
        }
    }

    /** Sending order: by place, then by number (the parts of a split batch share its place). */
    private record Position(long ord, long number) implements Comparable<Position> {
        @Override
        public int compareTo(Position o) {
            int c = Long.compare(ord, o.ord);
            return c != 0 ? c : Long.compare(number, o.number);
        }
    }

    private final Settings settings;
    private final FreeSpace freeSpace;
    private final ReadingCodec codec;
    private final Clock clock;
    private final long startedAt;
    private final BufferStore store;
    private final DrainRate drain;
    private final LinkedBlockingQueue<Work> work = new LinkedBlockingQueue<>();
    private final AtomicInteger queuedOffers = new AtomicInteger();
    private final Thread writer;
    private volatile boolean closing;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final long[] looseByLane = new long[2];
    private final TreeMap<Position, Sealed> sealed = new TreeMap<>();
    private final Map<String, Position> positions = new HashMap<>();
    private long sealedReadings;
    private long deadReadings;

    // Writer thread only.
    private long nextNumber;
    private long nextPurgeAt;
    private long deadDroppedNow;
    private final Overflow overflow = new Overflow();
    private volatile long usedBytes;
    /** The budget in force: the configured one, or less when the disk has less room. */
    private volatile long effectiveBudget;
    private long hardCap;
    private boolean diskBound;

    private final Counter refused;
    private final Counter dropped;
    private final Counter deadLettered;
    private final Counter errors;
    private final Timer commits;

    /** A batch sealed and not yet acknowledged; its readings are loaded when it is sent. */
    private static final class Sealed {
        final Position position;
        final String id;
        final int size;
        /** Safety events only: resent ahead of routine batches. */
        final boolean urgent;
        List<byte[]> readings;
        boolean inFlight;
        /** Being split or dead-lettered by the writer: not sent again meanwhile. */
        boolean retired;

        Sealed(Position position, String id, int size, boolean urgent, List<byte[]> readings, boolean inFlight) {
            this.position = position;
            this.id = id;
            this.size = size;
            this.urgent = urgent;
            this.readings = readings;
            this.inFlight = inFlight;
        }
    }

    /** Work for the writer thread. */
    private sealed interface Work permits Offer, Seal, Ack, Split, Query, Tick {
    }

    private record Offer(String device, Long seq, int lane, boolean droppable, long rx, byte[] body,
                         CompletableFuture<Admission> result) implements Work {
        /** Estimated bytes on disk. */
        long size() {
            return body.length + ROW_OVERHEAD;
        }
    }

    private record Seal(int max, int maxBytes, int normalAllowance, CompletableFuture<Batch> result) implements Work {
    }

    private record Ack(long number) implements Work {
    }

    /**
     * Replace a batch the hub has not stored by parts: by size ({@code maxBytes} each), or, with
     * {@code maxBytes} 0, isolating after a malformed refusal. A batch of one reading is
     * dead-lettered instead.
     */
    private record Split(Sealed batch, int maxBytes, String why, CompletableFuture<Void> result) implements Work {
    }

    private record Query<T>(StoreFunction<T> fn, CompletableFuture<T> result) implements Work {
        void run(BufferStore store) throws SQLException {
            result.complete(fn.apply(store));
        }
    }

    private record Tick() implements Work {
    }

    @FunctionalInterface
    private interface StoreFunction<T> {
        T apply(BufferStore store) throws SQLException;
    }

    /** Opens the buffer file on the real filesystem, recovers what it held, and starts the writer. */
    public UplinkBuffer(Settings settings, ReadingCodec codec, Clock clock, MeterRegistry registry) {
        this(settings, FreeSpace.of(settings.file()), codec, clock, registry);
    }

    /** Opens the buffer file, salvages a damaged one, recovers what it held, and starts the writer. */
    public UplinkBuffer(Settings settings, FreeSpace freeSpace, ReadingCodec codec, Clock clock, MeterRegistry registry) {
        this.settings = settings;
        this.freeSpace = freeSpace;
        this.codec = codec;
        this.clock = clock;
        this.startedAt = clock.millis();
        this.drain = new DrainRate(settings.drainPerSecond());
        Counter salvaged = Counter.builder("edge.buffer.salvaged.readings")
                .description("readings salvaged from a damaged buffer file into a new one").register(registry);
        Counter unreadable = Counter.builder("edge.buffer.salvage.unreadable")
                .description("readings of a damaged buffer file that could not be read (at most; lost)").register(registry);
        try {
            this.store = BufferStore.open(settings.file());
            for (BufferSalvage.Report r : BufferSalvage.salvageAll(store)) {
                salvaged.increment(r.readings());
                unreadable.increment(r.unreadable());
            }
            // Dead letters get another chance at every start: an upgrade may have fixed the
            // mismatch, and one that did not costs one refusal per batch.
            long[] retried = store.retryDeadLetters();
            store.commit();
            if (retried[0] > 0) {
                log.warn("{} dead-lettered batches ({} readings) are sent again after this start", retried[0], retried[1]);
            }
            looseByLane[BufferStore.LANE_PRIORITY] = store.looseCount(BufferStore.LANE_PRIORITY);
            looseByLane[BufferStore.LANE_NORMAL] = store.looseCount(BufferStore.LANE_NORMAL);
            for (BufferStore.SealedBatch b : store.unacknowledgedBatches()) {
                Position position = new Position(b.ord(), b.number());
                sealed.put(position, new Sealed(position, b.id(), b.size(), b.urgent(), null, false));
                positions.put(b.id(), position);
                sealedReadings += b.size();
            }
            nextNumber = store.maxBatchNumber() + 1;
            usedBytes = store.usedBytes();
            measureBudget();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the uplink buffer " + settings.file() + ": " + e.getMessage()
                    + " (check EDGE_BUFFER_DIR: it must be a writable directory)", e);
        }
        log.info("uplink buffer {}: {} readings waiting, {} of them in {} batches to resend first; {} MB of {} MB used",
                settings.file(), pendingReadings(), sealedReadings, sealed.size(), usedBytes / 1_000_000,
                effectiveBudget / 1_000_000);
        Gauge.builder("edge.buffer.pending.readings", this, UplinkBuffer::pendingReadings)
                .description("readings held until the hub acknowledges them").register(registry);
        Gauge.builder("edge.buffer.disk.bytes", this, b -> b.usedBytes)
                .description("bytes of the buffer file in use").register(registry);
        Gauge.builder("edge.buffer.disk.budget.bytes", this, b -> b.effectiveBudget)
                .description("disk the buffer may use now: the configured budget, or less when the disk has less room")
                .register(registry);
        Gauge.builder("edge.buffer.dead_letter.readings", this, UplinkBuffer::deadLetterReadings)
                .description("readings set aside because the hub refused them as malformed; sent again after a restart")
                .register(registry);
        this.refused = Counter.builder("edge.buffer.refused.readings")
                .description("readings refused because the buffer was full (devices retry)").register(registry);
        this.dropped = Counter.builder("edge.buffer.dropped.readings")
                .description("telemetry dropped, oldest first, because the disk budget was full").register(registry);
        this.deadLettered = Counter.builder("edge.buffer.dead_lettered.readings")
                .description("readings dead-lettered: refused by the hub as malformed (PUBACK 0x99) on their own,"
                        + " or too large for its maximum packet size").register(registry);
        this.errors = Counter.builder("edge.buffer.errors")
                .description("buffer transactions that failed (disk full, I/O error); their offers were refused")
                .register(registry);
        this.commits = Timer.builder("edge.buffer.commit").description("one buffer transaction, fsync included")
                .publishPercentiles(0.5, 0.99).register(registry);
        this.writer = new Thread(this::writeLoop, "buffer-writer");
        writer.setDaemon(true);
        writer.start();
    }

    // ---- The device side.

    @Override
    public CompletionStage<Admission> offer(Reading reading) {
        if (closing) {
            return CompletableFuture.failedFuture(new IllegalStateException("the buffer is closed"));
        }
        if (queuedOffers.incrementAndGet() > MAX_QUEUED_OFFERS) {
            // The disk is not keeping up: the device retries later instead of the heap growing.
            queuedOffers.decrementAndGet();
            refused.increment();
            return FULL;
        }
        byte[] body = codec.encode(reading);
        CompletableFuture<Admission> result = new CompletableFuture<>();
        work.add(new Offer(reading.deviceId(), reading.seq(), lane(reading), reading.kind() == Kind.TELEMETRY,
                reading.receivedAt(), body, result));
        return result;
    }

    /** Safety events and the gateway's own events (linkage actions, overflow) jump the queue. */
    static int lane(Reading r) {
        boolean priority = r.isSafetyEvent() || (r.type() == DeviceType.GATEWAY && r.kind() == Kind.EVENT);
        return priority ? BufferStore.LANE_PRIORITY : BufferStore.LANE_NORMAL;
    }

    // ---- The uplink side.

    /** {@link #next(int, int, Duration, Duration)} without a size limit. */
    public Batch next(int maxReadings, Duration linger, Duration wait) throws InterruptedException {
        return next(maxReadings, Integer.MAX_VALUE, linger, wait);
    }

    /**
     * The next batch to send: a sealed batch waiting to be resent if any (oldest first), else a
     * new batch of up to {@code maxReadings} loose readings: priority readings at once, normal
     * ones once {@code maxReadings} are there or {@code linger} has passed, and no faster than the
     * drain rate. Null when nothing is ready within {@code wait}.
     *
     * <p>Its readings take at most {@code maxBytes} ({@link #bytes}): what the uplink's maximum
     * packet size leaves for them. A sealed batch larger than that (sealed under a larger limit)
     * is split first; a single reading larger than that is dead-lettered.
     */
    public Batch next(int maxReadings, int maxBytes, Duration linger, Duration wait) throws InterruptedException {
        return next(maxReadings, maxBytes, linger, wait, false);
    }

    /**
     * As {@link #next(int, int, Duration, Duration)}; with {@code urgentOnly}, only a batch of
     * safety events ({@link Batch#urgent}): what the uplink sends in the place of its window it
     * keeps for them.
     */
    public Batch next(int maxReadings, int maxBytes, Duration linger, Duration wait, boolean urgentOnly)
            throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Object decision = decide(maxReadings, linger, deadline, urgentOnly);
            if (decision == null) {
                return null;
            }
            Batch b = decision instanceof Sealed s ? materialize(s) : seal(maxReadings, maxBytes, (Integer) decision);
            if (b != null) {
                if (bytes(b) <= maxBytes) {
                    return b;
                }
                // Split or dead-lettered: whatever is next may be ready now.
                tooLarge(b, maxBytes);
                continue;
            }
            if (System.nanoTime() >= deadline) {
                return null;
            }
        }
    }

    /** What a batch's readings take in its uplink encoding: each one, and a comma. */
    public static int bytes(Batch batch) {
        long n = 0;
        for (byte[] r : batch.readings()) {
            n += r.length + 1;
        }
        return (int) Math.min(Integer.MAX_VALUE, n);
    }

    /** Under the lock: a batch to resend, or how many normal readings a new batch may take, or null on timeout. */
    private Object decide(int max, Duration linger, long deadline, boolean urgentOnly) throws InterruptedException {
        lock.lock();
        try {
            long lingerUntil = 0;
            boolean lingering = false;
            while (!closing) {
                long now = System.nanoTime();
                Sealed waiting = firstWaiting(urgentOnly);
                if (waiting != null) {
                    waiting.inFlight = true;
                    return waiting;
                }
                long priority = looseByLane[BufferStore.LANE_PRIORITY];
                long normal = urgentOnly ? 0 : looseByLane[BufferStore.LANE_NORMAL];
                long waitNanos = deadline - now;
                if (priority > 0) {
                    // Safety events alone, so their batch can jump routine ones when resent.
                    return 0;
                }
                if (normal > 0) {
                    if (!lingering) {
                        lingering = true;
                        lingerUntil = now + linger.toNanos();
                    }
                    if (normal >= max || now >= lingerUntil) {
                        int allowance = drain.available(max);
                        if (allowance > 0) {
                            return allowance;
                        }
                        waitNanos = Math.min(waitNanos, drain.nanosUntilAvailable());
                    } else {
                        waitNanos = Math.min(waitNanos, lingerUntil - now);
                    }
                }
                if (now >= deadline) {
                    return null;
                }
                changed.awaitNanos(Math.max(1, waitNanos));
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** The oldest batch of safety events waiting to be resent, else (unless urgentOnly) the oldest batch waiting. */
    private Sealed firstWaiting(boolean urgentOnly) {
        Sealed first = null;
        for (Sealed s : sealed.values()) {
            if (!s.inFlight && !s.retired) {
                if (s.urgent) {
                    return s;
                }
                if (first == null && !urgentOnly) {
                    first = s;
                }
            }
        }
        return first;
    }

    private Batch materialize(Sealed s) throws InterruptedException {
        List<byte[]> readings;
        lock.lock();
        try {
            readings = s.readings;
        } finally {
            lock.unlock();
        }
        if (readings == null) {
            // Sealed before a restart: its readings are on disk only.
            List<BufferStore.Row> rows;
            try {
                rows = query(store -> store.batchRows(s.position.number()));
            } catch (SQLException e) {
                log.warn("cannot load batch {} from the buffer, will retry: {}", s.id, e.getMessage());
                resend(s.id);
                return null;
            }
            readings = bodies(rows);
            lock.lock();
            try {
                s.readings = readings;
            } finally {
                lock.unlock();
            }
        }
        return new Batch(s.id, s.position.number(), readings, s.urgent);
    }

    private Batch seal(int max, int maxBytes, int normalAllowance) throws InterruptedException {
        CompletableFuture<Batch> result = new CompletableFuture<>();
        work.add(new Seal(max, maxBytes, normalAllowance, result));
        try {
            return result.get();
        } catch (ExecutionException e) {
            return null;
        }
    }

    /** A batch too large to send: split into parts that fit, or dead-lettered if it is one reading. */
    private void tooLarge(Batch b, int maxBytes) throws InterruptedException {
        String why = b.size() == 1
                ? "a reading of " + bytes(b) + " bytes, more than the " + maxBytes + " bytes the hub's maximum packet size leaves"
                : "larger than the hub's maximum packet size";
        CompletableFuture<Void> done = retire(b.id(), maxBytes, why);
        if (done != null) {
            try {
                done.get();
            } catch (ExecutionException e) {
                // The split did not commit: the batch goes out again and is split then.
            }
        }
    }

    /** Hands a sealed batch to the writer to be split or dead-lettered; null when it is not held. */
    private CompletableFuture<Void> retire(String batchId, int maxBytes, String why) {
        lock.lock();
        try {
            Position position = positions.get(batchId);
            Sealed s = position == null ? null : sealed.get(position);
            if (s == null || s.retired) {
                return null;
            }
            s.retired = true;
            CompletableFuture<Void> done = new CompletableFuture<>();
            work.add(new Split(s, maxBytes, why, done));
            return done;
        } finally {
            lock.unlock();
        }
    }

    /** The hub stored the batch (or had stored it before): forget it. */
    public void acknowledged(String batchId) {
        Sealed s = forget(batchId);
        if (s != null) {
            work.add(new Ack(s.position.number()));
        }
    }

    /** Send this batch again, in its original order, the next time the uplink asks. */
    public void resend(String batchId) {
        lock.lock();
        try {
            Position position = positions.get(batchId);
            Sealed s = position == null ? null : sealed.get(position);
            if (s != null) {
                s.inFlight = false;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** After a disconnect: every unacknowledged batch goes out again, oldest first, before new ones. */
    public void resendAllInFlight() {
        lock.lock();
        try {
            sealed.values().forEach(s -> s.inFlight = false);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The hub refused the batch as malformed (PUBACK 0x99): it stored none of it, and resending
     * the same bytes cannot help. Our own encoding being refused means a bug, a damaged reading
     * or a contract mismatch, so the batch is split to find out: each safety event (priority lane)
     * is retried alone, the rest in two halves, under new ids. A single reading refused is
     * dead-lettered: kept on disk, counted, logged, and sent again after the next start.
     */
    public void malformed(String batchId, String why) {
        retire(batchId, 0, why);
    }

    private Sealed forget(String batchId) {
        lock.lock();
        try {
            Position position = positions.remove(batchId);
            Sealed s = position == null ? null : sealed.remove(position);
            if (s != null) {
                sealedReadings -= s.size;
                changed.signalAll();
            }
            return s;
        } finally {
            lock.unlock();
        }
    }

    private static List<byte[]> bodies(List<BufferStore.Row> rows) {
        List<byte[]> bodies = new ArrayList<>(rows.size());
        rows.forEach(r -> bodies.add(r.body()));
        return bodies;
    }

    // ---- What it holds.

    /** Readings dead-lettered (refused on their own by the hub, or too large); sent again after a restart. */
    public long deadLetterReadings() {
        lock.lock();
        try {
            return deadReadings;
        } finally {
            lock.unlock();
        }
    }

    /** Readings accepted and not yet acknowledged by the hub. */
    public long pendingReadings() {
        lock.lock();
        try {
            return looseByLane[0] + looseByLane[1] + sealedReadings;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes of the buffer file in use, as of the last transaction. */
    public long usedBytes() {
        return usedBytes;
    }

    /** The budget in force: the configured one, or less when the filesystem has less room. */
    public long budgetBytes() {
        return effectiveBudget;
    }

    public Path file() {
        return settings.file();
    }

    /** Receive time of the oldest reading not yet acknowledged, or 0. */
    public long oldestPendingRx() throws InterruptedException {
        try {
            return query(BufferStore::oldestPendingRx);
        } catch (SQLException e) {
            log.warn("cannot read the oldest pending reading: {}", e.getMessage());
            return 0;
        }
    }

    /**
     * What duplicate detection is given at start: the readings a device or the broker may still
     * send again, which are those received within {@link #RECALL_WINDOW} of the last one (a CoAP
     * device retries for 45 s, the agent takes seconds to restart, and the broker's redeliveries
     * come first), at most {@link #RECALL_MAX}, handed to {@code each} oldest first, one at a
     * time (they may not fit in the heap together). Unreadable ones are skipped and logged.
     *
     * @return how many were handed over
     */
    public int forDuplicateDetection(Consumer<Reading> each) throws InterruptedException {
        int[] handed = {0};
        try {
            query(store -> store.receivedWithin(RECALL_WINDOW.toMillis(), RECALL_MAX, body -> {
                Reading r = decodeOrNull(body);
                if (r != null) {
                    each.accept(r);
                    handed[0]++;
                }
            }));
        } catch (SQLException e) {
            log.warn("cannot read recent readings for duplicate detection: {}", e.getMessage());
        }
        return handed[0];
    }

    /** The last {@code n} readings stored (acknowledged ones within the grace period included), oldest first. */
    public List<Reading> recent(int n) throws InterruptedException {
        List<byte[]> bodies;
        try {
            bodies = query(store -> store.recent(n));
        } catch (SQLException e) {
            log.warn("cannot read recent readings: {}", e.getMessage());
            return List.of();
        }
        List<Reading> out = new ArrayList<>(bodies.size());
        for (byte[] body : bodies) {
            Reading r = decodeOrNull(body);
            if (r != null) {
                out.add(r);
            }
        }
        return out;
    }

    private Reading decodeOrNull(byte[] body) {
        try {
            return codec.decode(body);
        } catch (IllegalArgumentException e) {
            log.warn("skipping an unreadable reading in the buffer: {}", e.getMessage());
            return null;
        }
    }

    /** Waits until nothing is held (tests and orderly shutdown). */
    public boolean awaitEmpty(Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            long nanos = timeout.toNanos();
            while (looseByLane[0] + looseByLane[1] + sealedReadings > 0) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = changed.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private <T> T query(StoreFunction<T> fn) throws InterruptedException, SQLException {
        CompletableFuture<T> result = new CompletableFuture<>();
        work.add(new Query<>(fn, result));
        try {
            return result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException se) {
                throw se;
            }
            throw new SQLException(e.getCause());
        }
    }

    // ---- The writer.

    private void writeLoop() {
        List<Work> group = new ArrayList<>();
        while (true) {
            try {
                Work first = work.poll(1, TimeUnit.SECONDS);
                group.add(first == null ? new Tick() : first);
                work.drainTo(group, MAX_GROUP);
                run(group);
            } catch (InterruptedException e) {
                if (!closing) {
                    log.error("the buffer writer was interrupted; readings are no longer accepted");
                }
                failAll(group, new IllegalStateException("the buffer is closed"));
                return;
            } catch (RuntimeException e) {
                // A bug: the group's offers are refused (devices retry), the writer carries on.
                log.error("buffer writer failed on a group of {} items", group.size(), e);
                failAll(group, e);
            } finally {
                group.clear();
            }
            if (closing && work.isEmpty()) {
                failAll(drainRemaining(), new IllegalStateException("the buffer is closed"));
                return;
            }
        }
    }

    private List<Work> drainRemaining() {
        List<Work> rest = new ArrayList<>();
        work.drainTo(rest);
        return rest;
    }

    /** One transaction for the whole group; results are released only after it is committed. */
    private void run(List<Work> group) {
        long start = System.nanoTime();
        long now = clock.millis();
        List<Offer> offers = new ArrayList<>();
        List<Seal> seals = new ArrayList<>();
        List<Split> splits = new ArrayList<>();
        List<Query<?>> queries = new ArrayList<>();
        for (Work w : group) {
            if (w instanceof Offer o) {
                offers.add(o);
            } else if (w instanceof Seal s) {
                seals.add(s);
            } else if (w instanceof Split s) {
                splits.add(s);
            } else if (w instanceof Query<?> q) {
                queries.add(q);
            }
        }
        Admission[] admissions = new Admission[offers.size()];
        List<Batch> sealedNow = new ArrayList<>();
        List<SplitOutcome> splitNow = new ArrayList<>();
        long[] sealedByLane = new long[2];
        long droppedNow = 0;
        int overflowReports = 0;
        boolean wrote = false;
        deadDroppedNow = 0;
        try {
            measureBudget();
            for (Work w : group) {
                if (w instanceof Ack a) {
                    store.acknowledged(a.number(), now);
                    wrote = true;
                }
            }
            for (Split sp : splits) {
                splitNow.add(split(sp));
                wrote = true;
            }
            if (!offers.isEmpty()) {
                droppedNow = admit(offers, admissions);
                wrote = true;
            }
            // Closing: what was dropped since the last report is reported now, not forgotten.
            if (overflow.due(now) || (closing && overflow.pendingCount() > 0)) {
                insertOverflowReport(now);
                overflowReports = 1;
                wrote = true;
            }
            for (Seal s : seals) {
                Batch b = sealBatch(s, sealedByLane);
                sealedNow.add(b);
                wrote |= b != null;
            }
            if (now >= nextPurgeAt) {
                nextPurgeAt = now + PURGE_EVERY_MS;
                // Batches acknowledged before this start are kept a full grace period after it.
                long cutoff = now - ACKED_GRACE.toMillis();
                if (cutoff > startedAt) {
                    wrote |= store.purgeAcknowledged(cutoff) > 0;
                }
            }
            for (Query<?> q : queries) {
                try {
                    q.run(store);
                } catch (SQLException e) {
                    q.result().completeExceptionally(e);
                }
            }
            if (wrote) {
                store.commit();
                usedBytes = store.usedBytes();
            } else {
                store.rollback();
            }
        } catch (SQLException e) {
            store.rollback();
            errors.increment();
            log.error("a buffer transaction failed ({} readings refused, devices will retry): {}", offers.size(), e.getMessage());
            for (Offer o : offers) {
                o.result().completeExceptionally(e);
            }
            queuedOffers.addAndGet(-offers.size());
            seals.forEach(s -> s.result().complete(null));
            queries.forEach(q -> q.result().completeExceptionally(e));
            // A split that did not happen: the batch goes out again as it was, and is split then.
            lock.lock();
            try {
                splits.forEach(sp -> {
                    sp.batch().retired = false;
                    sp.batch().inFlight = false;
                });
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            splits.forEach(sp -> sp.result().completeExceptionally(e));
            // Lost acknowledgements only mean a resend, which the hub recognizes by the batch id.
            overflow.rollback();
            return;
        }
        commits.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        overflow.committed(overflowReports > 0, now);
        if (droppedNow + deadDroppedNow > 0) {
            dropped.increment(droppedNow + deadDroppedNow);
        }
        long[] accepted = new long[2];
        for (int i = 0; i < offers.size(); i++) {
            if (admissions[i] == Admission.ACCEPTED) {
                accepted[offers.get(i).lane()]++;
            } else {
                refused.increment();
            }
        }
        lock.lock();
        try {
            looseByLane[BufferStore.LANE_PRIORITY] += accepted[0] + overflowReports - sealedByLane[0];
            looseByLane[BufferStore.LANE_NORMAL] += accepted[1] - droppedNow - sealedByLane[1];
            for (Batch b : sealedNow) {
                if (b != null) {
                    Position position = new Position(b.number(), b.number());
                    sealed.put(position, new Sealed(position, b.id(), b.size(), b.urgent(), b.readings(), true));
                    positions.put(b.id(), position);
                    sealedReadings += b.size();
                }
            }
            for (SplitOutcome o : splitNow) {
                Sealed parent = o.split().batch();
                if (sealed.remove(parent.position) != null) {
                    positions.remove(parent.id);
                    sealedReadings -= parent.size;
                }
                for (Sealed part : o.parts()) {
                    sealed.put(part.position, part);
                    positions.put(part.id, part.position);
                    sealedReadings += part.size;
                }
                deadReadings += o.dead();
            }
            deadReadings -= deadDroppedNow;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (SplitOutcome o : splitNow) {
            reportSplit(o);
            o.split().result().complete(null);
        }
        queuedOffers.addAndGet(-offers.size());
        for (int i = 0; i < seals.size(); i++) {
            seals.get(i).result().complete(sealedNow.get(i));
        }
        for (int i = 0; i < offers.size(); i++) {
            offers.get(i).result().complete(admissions[i]);
        }
    }

    /**
     * Decides each offer against the disk budget, freeing room first when needed, and inserts the
     * accepted ones. Returns how many loose telemetry readings were dropped.
     */
    private long admit(List<Offer> offers, Admission[] admissions) throws SQLException {
        // A group may hold more than the whole budget (5,000 offers on a small disk): admit it in
        // slices, so its own older telemetry can make room for its newer readings, and so the
        // estimate of a slice's size errs by little.
        long sliceBytes = Math.max(effectiveBudget / 16, 16 * 1024);
        long droppedNow = 0;
        int from = 0;
        while (from < offers.size()) {
            int to = from;
            long incoming = 0;
            while (to < offers.size() && (to == from || incoming + offers.get(to).size() <= sliceBytes)) {
                incoming += offers.get(to).size();
                to++;
            }
            droppedNow += admitSlice(offers.subList(from, to), admissions, from, incoming);
            from = to;
        }
        return droppedNow;
    }

    private long admitSlice(List<Offer> slice, Admission[] admissions, int offset, long incoming)
            throws SQLException {
        // Measured per slice: the disk's room shrinks as the group's own writes fill the WAL.
        measureBudget();
        long budget = effectiveBudget;
        long used = store.usedBytes();
        long droppedNow = 0;
        if (used + incoming > budget) {
            // Free a little more than needed, so a full buffer does not drop on every commit.
            long slack = Math.max(budget / 100, 64 * 1024);
            if (store.purgeAcknowledged(Long.MAX_VALUE) > 0) {
                used = store.usedBytes();
            }
            // Deleting rows frees whole pages only once they empty, so the file may shrink by less
            // than the rows' estimate: measure again and drop more, a few rounds at most.
            for (int round = 0; round < 4 && used + incoming > budget; round++) {
                BufferStore.Dropped d = store.dropOldest(used + incoming - budget + slack, ROW_OVERHEAD);
                if (d.readings() == 0) {
                    break;
                }
                droppedNow += d.readings();
                overflow.add(d);
                used = store.usedBytes();
            }
            if (used + incoming > budget) {
                BufferStore.Dropped d = store.purgeDeadTelemetry();
                if (d.readings() > 0) {
                    // Counted and reported like any dropped telemetry.
                    overflow.add(d);
                    deadDroppedNow += d.readings();
                    used = store.usedBytes();
                }
            }
        }
        for (int i = 0; i < slice.size(); i++) {
            Offer o = slice.get(i);
            boolean fits = used + o.size() <= budget || (!o.droppable() && used + o.size() <= hardCap);
            if (fits) {
                store.insert(o.device(), o.seq(), o.lane(), o.droppable(), o.rx(), o.body());
                used += o.size();
                admissions[offset + i] = Admission.ACCEPTED;
            } else {
                admissions[offset + i] = Admission.FULL;
            }
        }
        // Written now, so the next slice measures and may drop them.
        store.flushInserts();
        return droppedNow;
    }

    private Batch sealBatch(Seal s, long[] sealedByLane) throws SQLException {
        List<BufferStore.Row> rows = new ArrayList<>(store.loose(BufferStore.LANE_PRIORITY, s.max()));
        int priority = rows.size();
        rows.addAll(store.loose(BufferStore.LANE_NORMAL, Math.min(s.max() - priority, s.normalAllowance())));
        if (rows.isEmpty()) {
            return null;
        }
        // No more than the uplink can send in one packet; a single larger reading goes alone
        // (next() dead-letters it).
        int keep = 0;
        long bytes = 0;
        while (keep < rows.size() && (keep == 0 || bytes + rows.get(keep).body().length + 1 <= s.maxBytes())) {
            bytes += rows.get(keep).body().length + 1;
            keep++;
        }
        rows = rows.subList(0, keep);
        priority = Math.min(priority, keep);
        long number = nextNumber++;
        String id = UUID.randomUUID().toString();
        store.seal(number, id, number, rows);
        int normal = rows.size() - priority;
        drain.consume(normal);
        sealedByLane[BufferStore.LANE_PRIORITY] += priority;
        sealedByLane[BufferStore.LANE_NORMAL] += normal;
        return new Batch(id, number, bodies(rows), normal == 0);
    }

    private static boolean allPriority(List<BufferStore.Row> rows) {
        return !rows.isEmpty() && rows.stream().allMatch(r -> r.lane() == BufferStore.LANE_PRIORITY);
    }

    /** What a split did; applied to the batches held in memory once its transaction commits. */
    private record SplitOutcome(Split split, int readings, List<Sealed> parts, int dead) {
    }

    private SplitOutcome split(Split sp) throws SQLException {
        Sealed parent = sp.batch();
        List<BufferStore.Row> rows = store.batchRows(parent.position.number());
        if (rows.isEmpty()) {
            return new SplitOutcome(sp, 0, List.of(), 0);
        }
        List<List<BufferStore.Row>> groups = sp.maxBytes() > 0 ? bySize(rows, sp.maxBytes()) : isolate(rows);
        if (groups.size() <= 1) {
            store.deadLettered(parent.position.number(), sp.why());
            return new SplitOutcome(sp, rows.size(), List.of(), rows.size());
        }
        List<BufferStore.SealedBatch> records = new ArrayList<>(groups.size());
        List<Sealed> parts = new ArrayList<>(groups.size());
        for (int i = 0; i < groups.size(); i++) {
            Position position = new Position(parent.position.ord(), nextNumber++);
            // Derived from the retired id, so a part can be traced to the batch it came from.
            String id = parent.id.length() + 6 <= 64 ? parent.id + ":" + i : UUID.randomUUID().toString();
            boolean urgent = allPriority(groups.get(i));
            records.add(new BufferStore.SealedBatch(position.number(), id, groups.get(i).size(), position.ord(), urgent));
            parts.add(new Sealed(position, id, groups.get(i).size(), urgent, bodies(groups.get(i)), false));
        }
        store.split(parent.position.number(), records, groups);
        return new SplitOutcome(sp, rows.size(), parts, 0);
    }

    /** Consecutive parts of at most {@code maxBytes} each; a larger reading is a part of its own. */
    private static List<List<BufferStore.Row>> bySize(List<BufferStore.Row> rows, int maxBytes) {
        List<List<BufferStore.Row>> parts = new ArrayList<>();
        List<BufferStore.Row> part = new ArrayList<>();
        long bytes = 0;
        for (BufferStore.Row r : rows) {
            if (!part.isEmpty() && bytes + r.body().length + 1 > maxBytes) {
                parts.add(part);
                part = new ArrayList<>();
                bytes = 0;
            }
            part.add(r);
            bytes += r.body().length + 1;
        }
        parts.add(part);
        return parts;
    }

    /** After a malformed refusal: each priority reading alone, the others in two halves. */
    private static List<List<BufferStore.Row>> isolate(List<BufferStore.Row> rows) {
        List<List<BufferStore.Row>> parts = new ArrayList<>();
        List<BufferStore.Row> normal = new ArrayList<>();
        for (BufferStore.Row r : rows) {
            if (r.lane() == BufferStore.LANE_PRIORITY) {
                parts.add(List.of(r));
            } else {
                normal.add(r);
            }
        }
        if (normal.size() > 1) {
            parts.add(normal.subList(0, normal.size() / 2));
            parts.add(normal.subList(normal.size() / 2, normal.size()));
        } else if (!normal.isEmpty()) {
            parts.add(normal);
        }
        return parts;
    }

    private void reportSplit(SplitOutcome o) {
        Sealed parent = o.split().batch();
        if (o.dead() > 0) {
            deadLettered.increment(o.dead());
            log.error("batch {} ({} readings) dead-lettered: {}; kept in {}, sent again after the next start"
                    + " (edge_buffer_dead_letter_readings)", parent.id, o.dead(), o.split().why(), settings.file());
        } else if (!o.parts().isEmpty()) {
            log.warn("batch {} ({} readings) {}: split into {} batches {} .. {}", parent.id, o.readings(),
                    o.split().maxBytes() > 0 ? "is " + o.split().why() : "was refused as malformed (" + o.split().why() + ")",
                    o.parts().size(), o.parts().get(0).id, o.parts().get(o.parts().size() - 1).id);
        }
    }

    /**
     * The budget in force now: the configured one, bounded by what the filesystem can still give
     * (the database file as it is, plus the disk's usable space) less the reserve kept for the rest
     * of the gateway. Events may go past it by {@value #RESERVE_PCT}%, but never into more
     * than half the reserve.
     */
    private void measureBudget() throws SQLException {
        long configured = settings.budgetBytes();
        long budget = configured;
        long cap = configured + configured * RESERVE_PCT / 100;
        long usable = -1;
        try {
            usable = freeSpace.usableBytes();
        } catch (IOException | RuntimeException e) {
            log.debug("cannot measure the free space of {}: {}", settings.file(), e.toString());
        }
        if (usable >= 0) {
            // What the database may grow to: its file now, plus what the disk still has. (Pages new
            // since the last checkpoint are in the WAL, whose file is already taken from the disk.)
            long room = store.fileBytes() + usable;
            budget = Math.min(budget, room - settings.reserveBytes());
            cap = Math.min(cap, room - settings.reserveBytes() / 2);
        }
        budget = Math.max(0, budget);
        hardCap = Math.max(budget, cap);
        boolean bound = budget < configured;
        if (bound != diskBound) {
            diskBound = bound;
            if (bound) {
                log.warn("the disk of {} has {} MB usable: the buffer's budget is {} MB, not the configured {} MB,"
                        + " keeping {} MB free (buffer.disk-reserve-mb)", settings.file(), usable / 1_000_000,
                        budget / 1_000_000, configured / 1_000_000, settings.reserveBytes() / 1_000_000);
            } else {
                log.info("the buffer's budget is the configured {} MB again", configured / 1_000_000);
            }
        }
        effectiveBudget = budget;
    }

    private void insertOverflowReport(long now) throws SQLException {
        ObjectNode data = JsonNodeFactory.instance.objectNode()
                .put("event", "buffer_overflow")
                .put("dropped_readings", overflow.pendingCount())
                .put("first_dropped_rx", overflow.pendingFirstRx())
                .put("last_dropped_rx", overflow.pendingLastRx());
        Reading report = new Reading(settings.gatewayId(), DeviceType.GATEWAY, Kind.EVENT, now, null, null, Set.of(), data);
        byte[] body = codec.encode(report);
        store.insert(report.deviceId(), null, BufferStore.LANE_PRIORITY, false, now, body);
        store.flushInserts();
        log.warn("disk budget of {} MB full: dropped the {} oldest telemetry readings (received {} .. {}); reported to the hub",
                effectiveBudget / 1_000_000, overflow.pendingCount(), overflow.pendingFirstRx(), overflow.pendingLastRx());
    }

    private void failAll(List<Work> group, Throwable why) {
        for (Work w : group) {
            if (w instanceof Offer o) {
                queuedOffers.decrementAndGet();
                o.result().completeExceptionally(why);
            } else if (w instanceof Seal s) {
                s.result().complete(null);
            } else if (w instanceof Split s) {
                s.result().completeExceptionally(why);
            } else if (w instanceof Query<?> q) {
                q.result().completeExceptionally(why);
            }
        }
    }

    /** Stops taking readings, commits what was offered, closes the file. */
    @Override
    public void close() {
        closing = true;
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        work.add(new Tick());
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            writer.interrupt();
            try {
                writer.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        store.close();
    }
}
