package org.communityguard.hub.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.communityguard.hub.incident.IncidentDetector;
import org.communityguard.hub.incident.IncidentListener;
import org.communityguard.hub.incident.IncidentRecorder;
import org.communityguard.hub.storage.ReadingStore;
import org.communityguard.hub.storage.ReadingStore.BatchKey;
import org.communityguard.hub.storage.SqlErrors;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * From decoded batch to committed rows. Network threads {@link #submit} batches; writer
 * threads group them into one transaction each (batch keys, a COPY of the readings, the
 * incidents they raise), commit, and only then report the outcome, which becomes the PUBACK.
 *
 * <p><b>Safety lane.</b> A small batch carrying a safety alarm ({@link #takesSafetyLane}) goes to
 * a writer of its own, so a fire is committed and announced while routine groups of up to
 * {@code maxPerCommit} readings are still being written, instead of after them (issue 10). A
 * gateway's routine batches always go to the same routine writer, so within each lane they
 * commit (and run through the incident rules) in the order the gateway sent them; a gateway's
 * alarm may commit before routine readings it sent earlier, as the gateway's own priority lane
 * already sends it ahead of them (docs/uplink.md, Delivery).
 *
 * <p>Memory is bounded: past {@code queueCapacity} waiting readings, {@link #submit} says so and
 * the network side stops reading until {@link #whenRoom} fires. A safety batch is taken past it
 * and does not stop the reading (the gateway's next batch may be an alarm too); each gateway's
 * Receive Maximum bounds what that adds.
 */
public final class IngestPipeline implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IngestPipeline.class);

    /** What became of a submitted batch. */
    public enum Outcome {
        /** Committed now. */
        STORED,
        /** Committed earlier under the same key; nothing stored now. */
        DUPLICATE,
        /** The database did not take it in time; the gateway should resend later. */
        RETRY_LATER
    }

    /**
     * A batch's outcome, and the readings the database refused inside a stored batch (besides
     * those the codec rejected): reason {@value #REFUSED_BY_DATABASE}.
     */
    public record Result(Outcome outcome, List<UplinkBatch.Rejected> refused) {
        static final Result STORED = new Result(Outcome.STORED, List.of());
        static final Result DUPLICATE = new Result(Outcome.DUPLICATE, List.of());
        static final Result RETRY_LATER = new Result(Outcome.RETRY_LATER, List.of());
    }

    /**
     * Most readings a batch on the safety lane may have. Our edge agent sends safety events in
     * batches of their own; a gateway that mixes them into large routine batches (every batch of
     * a busy fleet has a tamper or cover event somewhere) would otherwise move its whole traffic
     * onto the one safety writer, and slow every alarm down.
     */
    static final int SAFETY_LANE_MAX_READINGS = 100;

    /** The reason of a reading the database refused (docs/uplink.md). */
    public static final String REFUSED_BY_DATABASE = "refused_by_database";

    private record Pending(UplinkBatch batch, Consumer<Result> done, long submittedNanos, boolean safety) {
    }

    private final DataSource dataSource;
    private final ReadingStore readings;
    private final IncidentDetector detector;
    private final IncidentRecorder incidents;
    private final IncidentListener listener;
    private final int queueCapacity;
    private final int maxPerCommit;
    private final long retryTimeoutNanos;
    private final long dbTimeoutMs;
    private final List<LinkedBlockingQueue<Pending>> queues = new ArrayList<>();
    private final LinkedBlockingQueue<Pending> safetyQueue = new LinkedBlockingQueue<>();
    private final List<Thread> writers = new ArrayList<>();
    private final AtomicLong queued = new AtomicLong();
    private final Queue<Runnable> waitingForRoom = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;

    private final Counter stored;
    private final Counter batchesStored;
    private final Counter duplicates;
    private final Counter retryLater;
    private final Counter silentBackendsEnded;
    private final Timer commitTimer;
    private final Timer routineLatency;
    private final Timer safetyLatency;

    public IngestPipeline(DataSource dataSource, ReadingStore readings, IncidentDetector detector,
                          IncidentRecorder incidents, IncidentListener listener, int writerCount, int queueCapacity,
                          int maxPerCommit, Duration retryTimeout, Duration dbTimeout, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.readings = readings;
        this.detector = detector;
        this.incidents = incidents;
        this.listener = listener;
        this.queueCapacity = queueCapacity;
        this.maxPerCommit = maxPerCommit;
        this.retryTimeoutNanos = retryTimeout.toNanos();
        this.dbTimeoutMs = dbTimeout.toMillis();
        this.stored = Counter.builder("hub.readings.stored").description("readings committed to the database").register(registry);
        this.batchesStored = Counter.builder("hub.batches.stored").description("uplink batches committed").register(registry);
        this.duplicates = Counter.builder("hub.batches.duplicate")
                .description("resent uplink batches acknowledged without storing them again").register(registry);
        this.silentBackendsEnded = Counter.builder("hub.db.silent_backends_ended")
                .description("database backends ended because their connection stopped answering mid-transaction")
                .register(registry);
        this.retryLater = Counter.builder("hub.batches.retry_later")
                .description("batches the database did not take in time; gateways resend them").register(registry);
        this.commitTimer = Timer.builder("hub.ingest.commit").description("duration of one ingest transaction")
                .publishPercentileHistogram().register(registry);
        this.routineLatency = latencyTimer(registry, "routine");
        this.safetyLatency = latencyTimer(registry, "safety");
        Gauge.builder("hub.ingest.queue.readings", queued, AtomicLong::get)
                .description("readings waiting for the database").register(registry);
        for (int i = 0; i < writerCount; i++) {
            LinkedBlockingQueue<Pending> q = new LinkedBlockingQueue<>();
            queues.add(q);
            writers.add(writer(q, "ingest-writer-" + i));
        }
        writers.add(writer(safetyQueue, "ingest-writer-safety"));
    }

    private static Timer latencyTimer(MeterRegistry registry, String lane) {
        return Timer.builder("hub.ingest.latency").tag("lane", lane)
                .description("from a batch's arrival to its commit: the hub's part of the gateway's PUBACK wait")
                .publishPercentileHistogram().register(registry);
    }

    private Thread writer(LinkedBlockingQueue<Pending> queue, String name) {
        Thread t = new Thread(() -> writeLoop(queue), name);
        t.setDaemon(true);
        return t;
    }

    public void start() {
        writers.forEach(Thread::start);
    }

    /**
     * Queues a batch; {@code done} runs on a writer thread once its fate is known. Never
     * blocks. Returns false when the queue is over capacity (never for a safety batch): the
     * caller should stop reading new batches until {@link #whenRoom} calls back.
     */
    public boolean submit(UplinkBatch batch, Consumer<Result> done) {
        int n = Math.max(1, batch.readings().size());
        long now = queued.addAndGet(n);
        boolean safety = takesSafetyLane(batch);
        LinkedBlockingQueue<Pending> queue = safety ? safetyQueue
                : queues.get(Math.floorMod(batch.gatewayId().hashCode(), queues.size()));
        queue.add(new Pending(batch, done, System.nanoTime(), safety));
        return safety || now <= queueCapacity;
    }

    /** Whether {@code batch} is committed on the safety lane: a safety alarm in a small batch. */
    static boolean takesSafetyLane(UplinkBatch batch) {
        return batch.readings().size() <= SAFETY_LANE_MAX_READINGS && batch.carriesSafetyAlarm();
    }

    /** Runs {@code resume} once the queue has room again (at once if it has now). */
    public void whenRoom(Runnable resume) {
        waitingForRoom.add(resume);
        if (queued.get() <= queueCapacity) {
            signalRoom();
        }
    }

    public long queuedReadings() {
        return queued.get();
    }

    private void writeLoop(LinkedBlockingQueue<Pending> queue) {
        List<Pending> group = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                int count = first.batch().readings().size();
                Pending next;
                while (count < maxPerCommit && (next = queue.poll()) != null) {
                    group.add(next);
                    count += next.batch().readings().size();
                }
                commitWithRetry(group, false);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // A bug must not kill the writer and strand every gateway mapped to it.
                log.error("ingest writer failed on a group of {} batches; they will be resent by their gateways",
                        group.size(), e);
                group.forEach(p -> finish(p, Result.RETRY_LATER));
            } finally {
                group.clear();
            }
        }
    }

    /**
     * Commits the group, retrying what may pass later (the database is down, slow, or lost a
     * race) until the first batch's retry timeout. A group the database refuses for its data
     * ({@link SqlErrors#refusedData}) is not retried as it is: its batches are committed one by
     * one, and a batch still refused alone has its refused readings found and left out
     * ({@link #salvage}). So a poisonous reading costs its gateway one reading and the writer a
     * few statements, and never holds back the batches it was grouped with.
     */
    private void commitWithRetry(List<Pending> group, boolean salvage) throws InterruptedException {
        long deadline = group.get(0).submittedNanos() + retryTimeoutNanos;
        long backoffMs = 100;
        while (true) {
            try {
                Result[] results = salvage ? new Result[] {salvage(group.get(0).batch())} : commit(group);
                for (int i = 0; i < group.size(); i++) {
                    finish(group.get(i), results[i]);
                }
                return;
            } catch (SQLException e) {
                if (!salvage && SqlErrors.refusedData(e)) {
                    if (group.size() == 1) {
                        log.warn("the database refused batch {} of gateway {} ({}); finding the readings it refuses",
                                group.get(0).batch().batchId(), group.get(0).batch().gatewayId(), SqlErrors.describe(e));
                        commitWithRetry(group, true);
                    } else {
                        log.warn("the database refused a group of {} batches ({}); committing them one by one",
                                group.size(), SqlErrors.describe(e));
                        for (Pending p : group) {
                            commitWithRetry(List.of(p), false);
                        }
                    }
                    return;
                }
                if (salvage && SqlErrors.refusedData(e)) {
                    // Refused, but not for any one reading (e.g. at commit): nothing to leave out.
                    log.error("the database refuses batch {} of gateway {} as a whole ({}); the gateway will resend it",
                            group.get(0).batch().batchId(), group.get(0).batch().gatewayId(), SqlErrors.describe(e));
                    group.forEach(p -> finish(p, Result.RETRY_LATER));
                    return;
                }
                if (System.nanoTime() + backoffMs * 1_000_000 > deadline || !running) {
                    log.warn("database did not take {} batches in time, gateways will resend them: {}",
                            group.size(), e.getMessage());
                    group.forEach(p -> finish(p, Result.RETRY_LATER));
                    return;
                }
                log.warn("ingest commit failed, retrying in {} ms: {}", backoffMs, e.getMessage());
                Thread.sleep(backoffMs);
                backoffMs = Math.min(backoffMs * 2, 2000);
            }
        }
    }

    /** One transaction for the whole group; the outcome of each batch, in group order. */
    private Result[] commit(List<Pending> group) throws SQLException {
        long start = System.nanoTime();
        List<UplinkBatch> batches = new ArrayList<>(group.size());
        group.forEach(p -> batches.add(p.batch()));
        Result[] results = new Result[group.size()];
        IncidentRecorder.Recorded recorded;
        int storedReadings = 0;
        try (Connection c = dataSource.getConnection()) {
            begin(c);
            // Rule state changed by this transaction's readings goes back if it does not commit.
            IncidentDetector.Round round = detector.round();
            try {
                Set<BatchKey> fresh = readings.claim(c, batches);
                List<UplinkBatch> toStore = new ArrayList<>(fresh.size());
                for (int i = 0; i < group.size(); i++) {
                    UplinkBatch b = group.get(i).batch();
                    // remove(): a key resent within this same group is stored by its first copy only.
                    if (fresh.remove(BatchKey.of(b))) {
                        toStore.add(b);
                        storedReadings += b.readings().size();
                        round.detect(b.gatewayId(), b.readings());
                        results[i] = Result.STORED;
                    } else {
                        results[i] = Result.DUPLICATE;
                    }
                }
                readings.copy(c, toStore);
                recorded = incidents.record(c, round.findings());
                c.commit();
            } catch (SQLException | RuntimeException e) {
                round.rollback();
                leave(c, e);
                throw e;
            }
        }
        committed(start, storedReadings, List.of(recorded));
        return results;
    }

    /**
     * Commits one batch the database refused, without the readings it refuses: the readings are
     * stored (and judged by the incident rules) in slices, each under a savepoint, and a refused
     * slice is halved until the refused readings stand alone. Still one transaction with the
     * batch key, so the batch is stored once; still in the gateway's order, so the rules see the
     * readings as they came.
     */
    private Result salvage(UplinkBatch batch) throws SQLException {
        long start = System.nanoTime();
        List<UplinkBatch.Rejected> refused = new ArrayList<>();
        List<IncidentRecorder.Recorded> recorded = new ArrayList<>();
        List<IncidentDetector.Round> rounds = new ArrayList<>();
        int storedReadings;
        try (Connection c = dataSource.getConnection()) {
            begin(c);
            try {
                if (readings.claim(c, List.of(batch)).isEmpty()) {
                    c.commit();
                    return Result.DUPLICATE;
                }
                storedReadings = storeSlice(c, batch, 0, batch.readings().size(), refused, rounds, recorded);
                if (storedReadings == 0) {
                    // Not one reading taken: that is the signature of a database that refuses
                    // everything (a schema or server fault), not of a poisonous reading, so
                    // nothing is given up; the gateway keeps the batch and resends it.
                    throw new RefusedWhole(refused.get(0).detail());
                }
                if (!refused.isEmpty()) {
                    readings.refused(c, BatchKey.of(batch), refused.size());
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                for (int i = rounds.size() - 1; i >= 0; i--) {
                    rounds.get(i).rollback();
                }
                leave(c, e);
                throw e;
            }
        }
        committed(start, storedReadings, recorded);
        return new Result(Outcome.STORED, List.copyOf(refused));
    }

    /** Every reading of a salvaged batch was refused: resent later, never dropped. */
    private static final class RefusedWhole extends SQLException {
        RefusedWhole(String detail) {
            super("every reading of the batch refused (" + detail + ")", "22000");
        }
    }

    /** Stores readings [from, to) of the batch under a savepoint; returns how many were stored. */
    private int storeSlice(Connection c, UplinkBatch batch, int from, int to, List<UplinkBatch.Rejected> refused,
                           List<IncidentDetector.Round> rounds, List<IncidentRecorder.Recorded> recorded) throws SQLException {
        List<IncomingReading> slice = batch.readings().subList(from, to);
        Savepoint savepoint = c.setSavepoint();
        IncidentDetector.Round round = detector.round();
        try {
            round.detect(batch.gatewayId(), slice);
            readings.copy(c, List.of(new UplinkBatch(batch.gatewayId(), batch.batchId(), slice, List.of())));
            IncidentRecorder.Recorded r = incidents.record(c, round.findings());
            c.releaseSavepoint(savepoint);
            rounds.add(round);
            recorded.add(r);
            return slice.size();
        } catch (SQLException e) {
            round.rollback();
            c.rollback(savepoint);
            if (!SqlErrors.refusedData(e)) {
                throw e;
            }
            if (slice.size() == 1) {
                refused.add(new UplinkBatch.Rejected(batch.indexOf(from), REFUSED_BY_DATABASE,
                        "the database refused it, " + SqlErrors.describe(e)));
                return 0;
            }
            int middle = (from + to) >>> 1;
            return storeSlice(c, batch, from, middle, refused, rounds, recorded)
                    + storeSlice(c, batch, middle, to, refused, rounds, recorded);
        }
    }

    /**
     * Starts an ingest transaction with every wait bounded by {@code ingest.db-timeout}: the
     * server cancels a slower statement, and ends the transaction if the writer goes quiet for
     * as long (so a transaction whose connection went half-open does not keep its batch keys
     * locked); the writer gives up on a connection silent a second longer (a half-open
     * connection answers nothing) and retries on a fresh one.
     */
    private void begin(Connection c) throws SQLException {
        c.setAutoCommit(false);
        c.setNetworkTimeout(Runnable::run, (int) Math.min(Integer.MAX_VALUE, dbTimeoutMs + 1000));
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config('statement_timeout', ?, true),"
                + " set_config('idle_in_transaction_session_timeout', ?, true)")) {
            ps.setString(1, Long.toString(dbTimeoutMs));
            ps.setString(2, Long.toString(dbTimeoutMs));
            ps.execute();
        }
    }

    /**
     * Leaves a failed transaction ({@link #rollback}); when its connection stopped answering, also
     * ends the transaction at the server. A half-open connection stays open there: its backend
     * keeps the transaction and the batch keys it claimed (a backend waiting for COPY data is
     * under no statement timeout), so the retry on a fresh connection would wait on those keys
     * until the server's TCP keepalive gives up, hours on a real network. Ended by its pid, from
     * a fresh connection, and only while it is a backend of this hub's database user.
     */
    private void leave(Connection c, Exception cause) {
        int pid = backendPid(c);
        if (rollback(c, cause) && pid != 0) {
            try {
                c.close(); // back to the pool (which drops it) before a fresh one is asked for
            } catch (SQLException e) {
                cause.addSuppressed(e);
            }
            endBackend(pid, cause);
        }
    }

    private static int backendPid(Connection c) {
        try {
            return c.unwrap(PGConnection.class).getBackendPID();
        } catch (SQLException | RuntimeException e) {
            return 0;
        }
    }

    private void endBackend(int pid, Exception cause) {
        try (Connection fresh = dataSource.getConnection()) {
            fresh.setNetworkTimeout(Runnable::run, (int) Math.min(Integer.MAX_VALUE, dbTimeoutMs + 1000));
            try (PreparedStatement ps = fresh.prepareStatement("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    + " WHERE pid = ? AND usename = current_user AND datname = current_database()")) {
                ps.setInt(1, pid);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        silentBackendsEnded.increment();
                        log.warn("ended database backend {}: its connection stopped answering mid-transaction ({})",
                                pid, cause.getMessage());
                    }
                }
            }
        } catch (SQLException e) {
            // The database is out of reach altogether: the retry finds out on its own.
            log.warn("could not end database backend {} of a connection that stopped answering: {}", pid, e.getMessage());
        }
    }

    /**
     * Rolls back, keeping {@code cause} as the error to report; true when it aborted instead. A connection that failed (a
     * half-open one: its read timed out) is aborted instead: a rollback on it would wait out the
     * network timeout once more before the retry on a fresh connection (COPY goes past the
     * pool's own check, so the pool does not know yet), and the server rolls back a transaction
     * whose connection ends.
     */
    static boolean rollback(Connection c, Exception cause) {
        boolean lost = cause instanceof SQLException e && SqlErrors.connectionLost(e);
        try {
            if (lost) {
                c.abort(Runnable::run);
            } else {
                c.rollback();
            }
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
        return lost;
    }

    /** After a commit: metrics, then the incidents it opened are announced (never before they are durable). */
    private void committed(long startNanos, int storedReadings, List<IncidentRecorder.Recorded> recorded) {
        commitTimer.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        stored.increment(storedReadings);
        for (IncidentRecorder.Recorded r : recorded) {
            if (!r.isEmpty()) {
                incidents.announce(r, listener);
            }
        }
    }

    private void finish(Pending p, Result result) {
        switch (result.outcome()) {
            case STORED -> {
                batchesStored.increment();
                (p.safety() ? safetyLatency : routineLatency).record(System.nanoTime() - p.submittedNanos(),
                        TimeUnit.NANOSECONDS);
            }
            case DUPLICATE -> duplicates.increment();
            case RETRY_LATER -> retryLater.increment();
        }
        try {
            p.done().accept(result);
        } catch (RuntimeException e) {
            // E.g. the connection's event loop is already shut down: the gateway resends.
            log.debug("could not report {} for batch {}: {}", result.outcome(), p.batch().batchId(), e.toString());
        } finally {
            if (queued.addAndGet(-Math.max(1, p.batch().readings().size())) <= queueCapacity) {
                signalRoom();
            }
        }
    }

    private void signalRoom() {
        Runnable r;
        while ((r = waitingForRoom.poll()) != null) {
            r.run();
        }
    }

    /** Stops taking batches, commits what is queued (bounded by the retry timeout), stops the writers. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : writers) {
            t.join(TimeUnit.NANOSECONDS.toMillis(retryTimeoutNanos) + 5000);
        }
    }
}
