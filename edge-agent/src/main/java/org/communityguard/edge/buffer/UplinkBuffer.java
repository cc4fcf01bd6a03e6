package org.communityguard.edge.buffer;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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
 * <p><b>Bounded.</b> The file's used pages stay within {@code budgetBytes}: when a group would
 * pass it, acknowledged readings kept for duplicate detection go first, then the oldest loose
 * telemetry (counted, and reported to the hub as a {@code buffer_overflow} event), then batches
 * the hub refused as malformed. Events and status readings are never dropped: they may use a
 * further {@value #RESERVE_PCT}% of the budget, and past that the device is told to retry (FULL).
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
    /** The last readings stored are handed to duplicate detection at start. */
    public static final int RECENT_FOR_DUPLICATES = 10_000;
    static final Duration OVERFLOW_REPORT_INTERVAL = Duration.ofMinutes(1);
    private static final int MAX_QUEUED_OFFERS = 10_000;
    private static final int MAX_GROUP = 5_000;
    private static final long PURGE_EVERY_MS = 10_000;

    private static final CompletionStage<Admission> FULL = CompletableFuture.completedFuture(Admission.FULL);

    /**
     * @param file             the SQLite file
     * @param gatewayId        names the gateway in its own {@code buffer_overflow} reports
     * @param budgetBytes      disk the buffer may use
     * @param drainPerSecond   normal-lane readings sealed per second at most (0: no limit)
     */
    public record Settings(Path file, String gatewayId, long budgetBytes, int drainPerSecond) {
    }

    private final Settings settings;
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
    private final TreeMap<Long, Sealed> sealed = new TreeMap<>();
    private final Map<String, Long> numbers = new HashMap<>();
    private long sealedReadings;

    // Writer thread only.
    private long nextNumber;
    private long nextPurgeAt;
    private final Overflow overflow = new Overflow();
    private volatile long usedBytes;

    private final Counter refused;
    private final Counter dropped;
    private final Counter deadLettered;
    private final Counter errors;
    private final Timer commits;

    /** A batch sealed and not yet acknowledged; its readings are loaded when it is sent. */
    private static final class Sealed {
        final long number;
        final String id;
        final int size;
        List<byte[]> readings;
        boolean inFlight;

        Sealed(long number, String id, int size, List<byte[]> readings, boolean inFlight) {
            this.number = number;
            this.id = id;
            this.size = size;
            this.readings = readings;
            this.inFlight = inFlight;
        }
    }

    /** Work for the writer thread. */
    private sealed interface Work permits Offer, Seal, Ack, Dead, Query, Tick {
    }

    private record Offer(String device, Long seq, int lane, boolean droppable, long rx, byte[] body,
                         CompletableFuture<Admission> result) implements Work {
        /** Estimated bytes on disk. */
        long size() {
            return body.length + ROW_OVERHEAD;
        }
    }

    private record Seal(int max, int normalAllowance, CompletableFuture<Batch> result) implements Work {
    }

    private record Ack(long number) implements Work {
    }

    private record Dead(long number, String why) implements Work {
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

    /** Opens the buffer file, recovers what it held, and starts the writer. */
    public UplinkBuffer(Settings settings, ReadingCodec codec, Clock clock, MeterRegistry registry) {
        this.settings = settings;
        this.codec = codec;
        this.clock = clock;
        this.startedAt = clock.millis();
        this.drain = new DrainRate(settings.drainPerSecond());
        try {
            this.store = BufferStore.open(settings.file());
            looseByLane[BufferStore.LANE_PRIORITY] = store.looseCount(BufferStore.LANE_PRIORITY);
            looseByLane[BufferStore.LANE_NORMAL] = store.looseCount(BufferStore.LANE_NORMAL);
            for (BufferStore.SealedBatch b : store.unacknowledgedBatches()) {
                sealed.put(b.number(), new Sealed(b.number(), b.id(), b.size(), null, false));
                numbers.put(b.id(), b.number());
                sealedReadings += b.size();
            }
            nextNumber = store.maxBatchNumber() + 1;
            usedBytes = store.usedBytes();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the uplink buffer " + settings.file() + ": " + e.getMessage()
                    + " (check EDGE_BUFFER_DIR: it must be a writable directory)", e);
        }
        log.info("uplink buffer {}: {} readings waiting, {} of them in {} batches to resend first; {} MB of {} MB used",
                settings.file(), pendingReadings(), sealedReadings, sealed.size(), usedBytes / 1_000_000,
                settings.budgetBytes() / 1_000_000);
        Gauge.builder("edge.buffer.pending.readings", this, UplinkBuffer::pendingReadings)
                .description("readings held until the hub acknowledges them").register(registry);
        Gauge.builder("edge.buffer.disk.bytes", this, b -> b.usedBytes)
                .description("bytes of the buffer file in use").register(registry);
        this.refused = Counter.builder("edge.buffer.refused.readings")
                .description("readings refused because the buffer was full (devices retry)").register(registry);
        this.dropped = Counter.builder("edge.buffer.dropped.readings")
                .description("telemetry dropped, oldest first, because the disk budget was full").register(registry);
        this.deadLettered = Counter.builder("edge.buffer.dead_lettered.readings")
                .description("readings in batches the hub rejected as malformed (PUBACK 0x99)").register(registry);
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

    /**
     * The next batch to send: a sealed batch waiting to be resent if any (oldest first), else a
     * new batch of up to {@code maxReadings} loose readings: priority readings at once, normal
     * ones once {@code maxReadings} are there or {@code linger} has passed, and no faster than the
     * drain rate. Null when nothing is ready within {@code wait}.
     */
    public Batch next(int maxReadings, Duration linger, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Object decision = decide(maxReadings, linger, deadline);
            if (decision == null) {
                return null;
            }
            if (decision instanceof Sealed s) {
                Batch b = materialize(s);
                if (b != null) {
                    return b;
                }
            } else {
                Batch b = seal(maxReadings, (Integer) decision);
                if (b != null) {
                    return b;
                }
            }
            if (System.nanoTime() >= deadline) {
                return null;
            }
        }
    }

    /** Under the lock: a batch to resend, or how many normal readings a new batch may take, or null on timeout. */
    private Object decide(int max, Duration linger, long deadline) throws InterruptedException {
        lock.lock();
        try {
            long lingerUntil = 0;
            boolean lingering = false;
            while (!closing) {
                long now = System.nanoTime();
                Sealed waiting = firstWaiting();
                if (waiting != null) {
                    waiting.inFlight = true;
                    return waiting;
                }
                long priority = looseByLane[BufferStore.LANE_PRIORITY];
                long normal = looseByLane[BufferStore.LANE_NORMAL];
                long waitNanos = deadline - now;
                if (priority > 0) {
                    return drain.available((int) Math.max(0, max - Math.min(priority, max)));
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

    private Sealed firstWaiting() {
        for (Sealed s : sealed.values()) {
            if (!s.inFlight) {
                return s;
            }
        }
        return null;
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
            try {
                readings = query(store -> store.batchReadings(s.number));
            } catch (SQLException e) {
                log.warn("cannot load batch {} from the buffer, will retry: {}", s.id, e.getMessage());
                resend(s.id);
                return null;
            }
            lock.lock();
            try {
                s.readings = readings;
            } finally {
                lock.unlock();
            }
        }
        return new Batch(s.id, s.number, readings);
    }

    private Batch seal(int max, int normalAllowance) throws InterruptedException {
        CompletableFuture<Batch> result = new CompletableFuture<>();
        work.add(new Seal(max, normalAllowance, result));
        try {
            return result.get();
        } catch (ExecutionException e) {
            return null;
        }
    }

    /** The hub stored the batch (or had stored it before): forget it. */
    public void acknowledged(String batchId) {
        Sealed s = forget(batchId);
        if (s != null) {
            work.add(new Ack(s.number));
        }
    }

    /** Send this batch again, in its original order, the next time the uplink asks. */
    public void resend(String batchId) {
        lock.lock();
        try {
            Long number = numbers.get(batchId);
            Sealed s = number == null ? null : sealed.get(number);
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
     * The hub refused the batch as malformed: resending cannot help. It is moved aside (kept on
     * disk, marked dead, never resent; dropped first under disk pressure), counted and logged.
     */
    public void deadLetter(String batchId, String why) {
        Sealed s = forget(batchId);
        if (s != null) {
            deadLettered.increment(s.size);
            log.error("the hub refused batch {} ({} readings) as malformed; kept aside in {}, not resent: {}",
                    batchId, s.size, settings.file(), why);
            work.add(new Dead(s.number, why));
        }
    }

    private Sealed forget(String batchId) {
        lock.lock();
        try {
            Long number = numbers.remove(batchId);
            Sealed s = number == null ? null : sealed.remove(number);
            if (s != null) {
                sealedReadings -= s.size;
                changed.signalAll();
            }
            return s;
        } finally {
            lock.unlock();
        }
    }

    // ---- What it holds.

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

    public long budgetBytes() {
        return settings.budgetBytes();
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

    /** The last {@code n} readings stored (acknowledged ones within the grace period included), oldest first. */
    public List<Reading> recent(int n) throws InterruptedException {
        List<byte[]> bodies;
        try {
            bodies = query(store -> store.recent(n));
        } catch (SQLException e) {
            log.warn("cannot read recent readings for duplicate detection: {}", e.getMessage());
            return List.of();
        }
        List<Reading> out = new ArrayList<>(bodies.size());
        for (byte[] body : bodies) {
            try {
                out.add(codec.decode(body));
            } catch (IllegalArgumentException e) {
                log.warn("skipping an unreadable reading in the buffer: {}", e.getMessage());
            }
        }
        return out;
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
        List<Query<?>> queries = new ArrayList<>();
        for (Work w : group) {
            if (w instanceof Offer o) {
                offers.add(o);
            } else if (w instanceof Seal s) {
                seals.add(s);
            } else if (w instanceof Query<?> q) {
                queries.add(q);
            }
        }
        Admission[] admissions = new Admission[offers.size()];
        List<Batch> sealedNow = new ArrayList<>();
        long[] sealedByLane = new long[2];
        long droppedNow = 0;
        int overflowReports = 0;
        boolean wrote = false;
        try {
            for (Work w : group) {
                if (w instanceof Ack a) {
                    store.acknowledged(a.number(), now);
                    wrote = true;
                } else if (w instanceof Dead d) {
                    store.deadLettered(d.number(), d.why());
                    wrote = true;
                }
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
            // Lost acknowledgements only mean a resend, which the hub recognizes by the batch id.
            overflow.rollback();
            return;
        }
        commits.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        overflow.committed(overflowReports > 0, now);
        if (droppedNow > 0) {
            dropped.increment(droppedNow);
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
                    sealed.put(b.number(), new Sealed(b.number(), b.id(), b.size(), b.readings(), true));
                    numbers.put(b.id(), b.number());
                    sealedReadings += b.size();
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
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
        long sliceBytes = Math.max(settings.budgetBytes() / 16, 16 * 1024);
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
        long budget = settings.budgetBytes();
        long hardCap = budget + budget * RESERVE_PCT / 100;
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
            if (used + incoming > budget && store.purgeDead() > 0) {
                used = store.usedBytes();
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
        long number = nextNumber++;
        String id = UUID.randomUUID().toString();
        store.seal(number, id, rows);
        int normal = rows.size() - priority;
        drain.consume(normal);
        sealedByLane[BufferStore.LANE_PRIORITY] += priority;
        sealedByLane[BufferStore.LANE_NORMAL] += normal;
        List<byte[]> bodies = new ArrayList<>(rows.size());
        rows.forEach(r -> bodies.add(r.body()));
        return new Batch(id, number, bodies);
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
                settings.budgetBytes() / 1_000_000, overflow.pendingCount(), overflow.pendingFirstRx(), overflow.pendingLastRx());
    }

    private void failAll(List<Work> group, Throwable why) {
        for (Work w : group) {
            if (w instanceof Offer o) {
                queuedOffers.decrementAndGet();
                o.result().completeExceptionally(why);
            } else if (w instanceof Seal s) {
                s.result().complete(null);
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
