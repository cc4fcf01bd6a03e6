package org.communityguard.sim.bench;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * The machine's own limit: the same kind of rows COPYed straight into the readings hypertable
 * from {@code connections} JDBC connections, each committing every {@code commitRows} rows, the
 * way the hub's writers do, minus everything else the hub does (MQTT, JSON parsing, the batch
 * key, acknowledging). Same COPY text format and the same 256 KiB flushes as the hub.
 */
final class CopyLoad {

    /** As the hub's storage.ReadingStore. */
    private static final int FLUSH_CHARS = 256 * 1024;

    private final String url;
    private final String user;
    private final String password;
    private final int batchReadings;
    private final int commitRows;
    /** One fleet per benchmark gateway; each run hands every fleet to exactly one connection. */
    private final List<Fleet> fleets = new ArrayList<>();

    /**
     * @param firstSeq far from the uplink phase's sequence numbers, so (device, seq) stays unique
     *                 in the table across both phases
     */
    CopyLoad(String url, String user, String password, List<BenchOptions.Gateway> gateways, int batchReadings,
             int commitRows, long firstSeq) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.batchReadings = batchReadings;
        this.commitRows = commitRows;
        long seed = System.nanoTime();
        for (int i = 0; i < gateways.size(); i++) {
            fleets.add(new Fleet(gateways.get(i).id(), firstSeq, seed + i, System::currentTimeMillis));
        }
    }

    /** What one run measured. */
    record Result(int connections, Throughput.Rate rate, Probes.Window window, long commitsInWindow) {
    }

    /**
     * COPYs from {@code connections} connections (at most one per gateway) for {@code warmup},
     * then measures for {@code measured}.
     */
    Result run(int connections, Duration warmup, Duration measured, Probes probes) throws InterruptedException, SQLException {
        int n = Math.min(connections, fleets.size());
        AtomicLong committed = new AtomicLong();
        AtomicLong commits = new AtomicLong();
        Queue<Exception> errors = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        List<Connection> open = new ArrayList<>();
        Stop stop = new Stop();
        try {
            for (int t = 0; t < n; t++) {
                List<Fleet> mine = new ArrayList<>();
                for (int i = t; i < fleets.size(); i += n) {
                    mine.add(fleets.get(i));
                }
                Connection c = DriverManager.getConnection(url, user, password);
                open.add(c);
                c.setAutoCommit(false);
                threads.add(new Thread(() -> copyLoop(c, mine, committed, commits, stop, errors), "copy-" + t));
            }
            threads.forEach(Thread::start);
            Thread.sleep(warmup.toMillis());
            Probes.Sample before = probes.sample();
            long commitsBefore = commits.get();
            Throughput window = Throughput.start(committed::get);
            Thread.sleep(measured.toMillis());
            Throughput.Rate rate = window.stop();
            Probes.Sample after = probes.sample();
            long commitsInWindow = commits.get() - commitsBefore;
            stop.now = true;
            for (Thread t : threads) {
                t.join();
            }
            if (!errors.isEmpty()) {
                throw new SQLException("COPY failed: " + errors.peek().getMessage(), errors.peek());
            }
            return new Result(n, rate, Probes.between(before, after), commitsInWindow);
        } finally {
            stop.now = true;
            for (Thread t : threads) {
                t.join();
            }
            for (Connection c : open) {
                c.close();
            }
        }
    }

    private static final class Stop {
        volatile boolean now;
    }

    private void copyLoop(Connection c, List<Fleet> mine, AtomicLong committed, AtomicLong commits, Stop stop,
                          Queue<Exception> errors) {
        StringBuilder sb = new StringBuilder(FLUSH_CHARS + 4096);
        int next = 0;
        try {
            while (!stop.now) {
                CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn(CopyRows.COPY_SQL);
                int rows = 0;
                while (rows < commitRows) {
                    // A gateway's batch at a time, gateways in turn, as the hub's groups mix them.
                    Fleet fleet = mine.get(next++ % mine.size());
                    for (int k = 0; k < batchReadings && rows < commitRows; k++, rows++) {
                        CopyRows.append(sb, fleet.gatewayId(), fleet.next());
                        if (sb.length() >= FLUSH_CHARS) {
                            write(copy, sb);
                        }
                    }
                }
                write(copy, sb);
                copy.endCopy();
                c.commit();
                committed.addAndGet(rows);
                commits.incrementAndGet();
            }
        } catch (SQLException | RuntimeException e) {
            errors.add(e);
        }
    }

    private static void write(CopyIn copy, StringBuilder sb) throws SQLException {
        if (sb.length() == 0) {
            return;
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        copy.writeToCopy(bytes, 0, bytes.length);
        sb.setLength(0);
    }
}
