package org.communityguard.sim.bench;

import java.io.PrintStream;
import java.net.http.HttpClient;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;
import org.communityguard.sim.bench.gateways.HubProbe;

/**
 * {@code deploy/bench.sh sustained}'s driver: one fixed offered rate, open loop, for a long time
 * (an hour by default) on a database with production WAL settings, reported per window (five
 * minutes by default): what a day looks like, not a burst. Each window gives the readings
 * acknowledged per second, the acknowledgement latency counted from each batch's due time, the
 * checkpoints, WAL, CPU per reading of hub and PostgreSQL, the hub's memory, chunks and rollup
 * passes. At the end every acknowledged reading must be stored exactly once.
 *
 * <p>Exit codes as {@link IngestBench}: 0 measured; 1 the hub lost, duplicated or refused
 * something (the RESULT line is printed anyway, with the counts); 2 bad command line or a
 * database that would not give honest figures; 3 the benchmark could not run.
 */
public final class SustainedBench {

    static final String USAGE = """
            usage: SustainedBench --uplink tcp://HOST:PORT --db-url JDBC_URL --hub-http URL [options]
              gateways and their secrets: %s (id:secret,...), as given to the hub
              --db-user NAME          database user (postgres)
              --db-password TEXT      database password (empty)
              --rate N                readings per second offered in total, open loop (20000)
              --buildings N           buildings of 100 devices behind each gateway, as in the hub's site file (50)
              --batch N               readings per uplink batch (500)
              --window N              unacknowledged batches per gateway, capped by the hub's Receive Maximum (16)
              --warmup S              seconds of load before the first window (60)
              --minutes N             measured minutes (60)
              --window-seconds S      seconds per reported window (300)
              --chunk-minutes N       the readings hypertable's chunk interval, set before the load; 0 keeps
                                      the hub's (10)
              --hub-pid PID           the hub JVM, for its CPU and memory (none)
              --postgres-pid PID      the postmaster, for the server's CPU (none)
            """.formatted(BenchOptions.GATEWAYS_VARIABLE);

    private static final Set<String> FLAGS = Set.of("uplink", "db-url", "db-user", "db-password", "hub-http", "rate",
            "buildings", "batch", "window", "warmup", "minutes", "window-seconds", "chunk-minutes", "hub-pid",
            "postgres-pid");

    record Options(String uplinkUrl, String dbUrl, String dbUser, String dbPassword, String hubHttp,
                   List<BenchOptions.Gateway> gateways, int rate, int buildings, int batchReadings, int window,
                   Duration warmup, int minutes, Duration windowLength, int chunkMinutes, long hubPid, long postgresPid) {

        static Options parse(String[] args, Map<String, String> env) throws BenchOptions.UsageException {
            Map<String, String> f = BenchOptions.flags(args, FLAGS);
            Options o = new Options(BenchOptions.required(f, "uplink"), BenchOptions.required(f, "db-url"),
                    f.getOrDefault("db-user", "postgres"), f.getOrDefault("db-password", ""),
                    BenchOptions.required(f, "hub-http"), BenchOptions.gateways(env),
                    BenchOptions.integer(f, "rate", 20_000, 1, 10_000_000), BenchOptions.integer(f, "buildings", 50, 1, 10_000),
                    BenchOptions.integer(f, "batch", 500, 1, 5000), BenchOptions.integer(f, "window", 16, 1, 65535),
                    BenchOptions.seconds(f, "warmup", 60, 0), BenchOptions.integer(f, "minutes", 60, 1, 24 * 60),
                    BenchOptions.seconds(f, "window-seconds", 300, 10), BenchOptions.integer(f, "chunk-minutes", 10, 0, 7 * 24 * 60),
                    BenchOptions.integer(f, "hub-pid", 0, 0, Integer.MAX_VALUE),
                    BenchOptions.integer(f, "postgres-pid", 0, 0, Integer.MAX_VALUE));
            if (o.windowLength().toSeconds() > o.minutes() * 60L) {
                throw new BenchOptions.UsageException("--window-seconds is longer than the --minutes measured");
            }
            return o;
        }

        int devices() {
            return gateways.size() * buildings * 100;
        }

        /** Whole windows only: a short last one would not compare with the others. */
        int windows() {
            return (int) (minutes * 60L / windowLength.toSeconds());
        }
    }

    /** One reported window: what the driver and the hub's processes did in it. */
    record Window(int index, Instant from, double readingsPerSecond, long batches, double ackP50Ms, double ackP99Ms,
                  double ackMaxMs, Probes.Window probes, long chunks, long hubRssMib, double rollupRuns,
                  double rollupHours) {

        static String header() {
            return "  #  from (UTC)             stored/s  ack p50  ack p99   ack max  ckpt  WAL MB/s  hub us  pg us  other"
                    + "  RSS MiB  chunks  rollup runs/hours";
        }

        /** A row of the table under {@link #header}: CPU in microseconds per reading, other programs in cores. */
        String line() {
            ProcCpu.Split cpu = probes.cpu();
            return String.format(Locale.ROOT, "%3d  %s  %9.0f  %7.1f  %7.1f  %8.1f  %4d  %8.1f  %6s  %5s  %5.2f  %7d  %6d  %.0f/%.0f%s",
                    index, from.truncatedTo(ChronoUnit.SECONDS), readingsPerSecond, ackP50Ms, ackP99Ms, ackMaxMs,
                    probes.checkpoints(), probes.walBytes() / cpu.seconds() / 1e6, perReading(cpu.hub()),
                    perReading(cpu.postgres()), cpu.other(), hubRssMib, chunks, rollupRuns, rollupHours,
                    cpu.other() > IngestBench.DISTURBED_CORES ? "  (other programs busy)" : "");
        }

        private String perReading(double cores) {
            return Double.isNaN(cores) || readingsPerSecond <= 0 ? "n/a"
                    : String.format(Locale.ROOT, "%.1f", cores / readingsPerSecond * 1e6);
        }

        /** The whole measured time's latency, from {@code measured}, and the spread of the windows. */
        static String summary(List<Window> windows, Histogram measured) {
            return String.format(Locale.ROOT, "all %d windows: %,d batches acknowledged, ack p50 %.1f ms, p99 %.1f ms,"
                            + " p99.9 %.1f ms, max %.1f ms; stored/s from %s to %s", windows.size(), measured.getTotalCount(),
                    measured.getValueAtPercentile(50) / 1000.0, measured.getValueAtPercentile(99) / 1000.0,
                    measured.getValueAtPercentile(99.9) / 1000.0, measured.getMaxValue() / 1000.0,
                    Report.rate(windows.stream().mapToDouble(Window::readingsPerSecond).min().orElse(0)),
                    Report.rate(windows.stream().mapToDouble(Window::readingsPerSecond).max().orElse(0)));
        }
    }

    private SustainedBench() {
    }

    public static void main(String[] args) {
        int code;
        try {
            code = run(args, System.getenv(), System.out, System.err);
        } catch (Exception e) {
            System.err.println("SustainedBench: the benchmark could not run: " + e);
            e.printStackTrace();
            code = 3;
        }
        // Paho's and the JDBC driver's threads must not keep bench.sh waiting.
        System.exit(code);
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) throws Exception {
        Options o;
        try {
            o = Options.parse(args, env);
        } catch (BenchOptions.UsageException e) {
            err.println("SustainedBench: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        Map<String, String> server;
        try (Connection db = DriverManager.getConnection(o.dbUrl(), o.dbUser(), o.dbPassword())) {
            server = IngestBench.serverFacts(db);
            if (IngestBench.unusable(server).isEmpty() && o.chunkMinutes() > 0) {
                setChunkInterval(db, o.chunkMinutes());
            }
        }
        List<String> unusable = IngestBench.unusable(server);
        if (!unusable.isEmpty()) {
            err.println("SustainedBench: this database would not give honest figures: " + String.join("; ", unusable));
            return 2;
        }
        out.println("database: PostgreSQL " + server.get("server_version") + ", TimescaleDB " + server.get("timescaledb"));
        out.println("database settings: " + IngestBench.settingsLine(server));
        out.printf(Locale.ROOT, "load: %s offered open loop by %d gateways of %,d devices in all (a reading per device"
                        + " every %.1f s), %d readings per batch, window %d; chunks of %s%n", Report.rate(o.rate()),
                o.gateways().size(), o.devices(), o.devices() / (double) o.rate(), o.batchReadings(), o.window(),
                o.chunkMinutes() > 0 ? o.chunkMinutes() + " minutes" : "the hub's interval");
        try (WalProbe wal = new WalProbe(o.dbUrl(), o.dbUser(), o.dbPassword())) {
            return measure(o, new Probes(new ProcCpu(o.hubPid(), o.postgresPid()), wal), out, err);
        }
    }

    private static int measure(Options o, Probes probes, PrintStream out, PrintStream err) throws Exception {
        IngestBench.Counts before = IngestBench.counts(o.dbUrl(), o.dbUser(), o.dbPassword());
        HubProbe hub = new HubProbe(HttpClient.newHttpClient(), o.hubHttp(), o.hubPid());
        UplinkLoad load = new UplinkLoad(o.uplinkUrl(), o.gateways(), o.buildings(), o.batchReadings(), o.window());
        load.offer(o.rate());
        load.start();
        out.printf(Locale.ROOT, "uplink: %d gateways connected, window %d; %d s warm-up, then %d windows of %d s%n",
                o.gateways().size(), load.effectiveWindow(), o.warmup().toSeconds(), o.windows(),
                o.windowLength().toSeconds());
        Thread.sleep(o.warmup().toMillis());

        List<Window> windows = new ArrayList<>();
        load.measuring(true);
        Histogram all = load.latencyMicros().copy();
        Histogram previous = all.copy();
        Probes.Sample sample = probes.sample();
        long acked = load.ackedReadings();
        String metrics = hub.metrics();
        out.println();
        out.println(Window.header());
        for (int i = 1; i <= o.windows() && load.failureCount() == 0; i++) {
            Instant from = Instant.now();
            long t0 = System.nanoTime();
            Thread.sleep(o.windowLength().toMillis());
            long ackedNow = load.ackedReadings();
            double seconds = (System.nanoTime() - t0) / 1e9;
            Histogram latency = load.latencyMicros().copy();
            Histogram step = latency.copy();
            step.subtract(previous);
            previous = latency;
            Probes.Sample next = probes.sample();
            String metricsNow = hub.metrics();
            Window w = new Window(i, from, (ackedNow - acked) / seconds, step.getTotalCount(),
                    step.getValueAtPercentile(50) / 1000.0, step.getValueAtPercentile(99) / 1000.0,
                    step.getMaxValue() / 1000.0, Probes.between(sample, next), chunks(o),
                    hub.memoryMib("VmRSS"), delta(metrics, metricsNow, "hub_telemetry_rollup_runs_total"),
                    delta(metrics, metricsNow, "hub_telemetry_rollup_hours_total"));
            windows.add(w);
            out.println(w.line());
            sample = next;
            acked = ackedNow;
            metrics = metricsNow;
        }
        load.measuring(false);
        Histogram measured = load.latencyMicros().copy();
        measured.subtract(all);

        boolean drained = load.stop(Duration.ofMinutes(5));
        IngestBench.Counts after = IngestBench.counts(o.dbUrl(), o.dbUser(), o.dbPassword());
        out.println();
        List<String> problems = new ArrayList<>(IngestBench.check(before, after, load, out));
        if (!drained) {
            problems.add("batches still unacknowledged five minutes after the load stopped");
        }
        if (windows.size() < o.windows()) {
            problems.add("the load failed in window " + (windows.size() + 1) + " of " + o.windows());
        }
        long stored = after.hubDistinct() - before.hubDistinct();
        long lost = Math.max(0, load.ackedReadings() - stored);
        long duplicated = (after.hubReadings() - before.hubReadings()) - stored;
        printEnd(o, out);
        out.println(Window.summary(windows, measured));
        out.println(resultLine(o, windows, measured, lost, duplicated));
        if (!problems.isEmpty()) {
            err.println("SustainedBench: FAILED, the hub did not store exactly what it acknowledged:");
            problems.forEach(p -> err.println("  - " + p));
            return 1;
        }
        return 0;
    }

    /** New chunks get this interval; the table is empty before the load, so all of the run's do. */
    private static void setChunkInterval(Connection db, int minutes) throws SQLException {
        try (Statement st = db.createStatement()) {
            st.execute("SELECT set_chunk_time_interval('readings', INTERVAL '" + minutes + " minutes')");
        }
    }

    private static long chunks(Options o) throws SQLException {
        try (Connection db = DriverManager.getConnection(o.dbUrl(), o.dbUser(), o.dbPassword());
             Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM show_chunks('readings')")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void printEnd(Options o, PrintStream out) throws SQLException {
        try (Connection db = DriverManager.getConnection(o.dbUrl(), o.dbUser(), o.dbPassword());
             Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_size_pretty(hypertable_size('readings')),"
                     + " (SELECT count(*) FROM readings_hourly), (SELECT max(hour) FROM readings_hourly)")) {
            rs.next();
            out.printf(Locale.ROOT, "at the end: readings %s with indexes; readings_hourly %,d rows, newest hour %s%n",
                    rs.getString(1), rs.getLong(2), rs.getString(3));
        }
    }

    private static double delta(String before, String after, String metric) {
        return HubProbe.total(after, metric) - HubProbe.total(before, metric);
    }

    static String resultLine(Options o, List<Window> windows, Histogram measured, long lost, long duplicated) {
        double rps = windows.stream().mapToDouble(Window::readingsPerSecond).average().orElse(0);
        double minRps = windows.stream().mapToDouble(Window::readingsPerSecond).min().orElse(0);
        double worstP99 = windows.stream().mapToDouble(Window::ackP99Ms).max().orElse(0);
        long checkpoints = windows.stream().mapToLong(w -> w.probes().checkpoints()).sum();
        double rollups = windows.stream().mapToDouble(Window::rollupRuns).sum();
        long chunks = windows.isEmpty() ? 0 : windows.get(windows.size() - 1).chunks();
        return String.format(Locale.ROOT, "RESULT sustained_minutes=%d offered_rps=%d readings_per_s=%.0f min_window_rps=%.0f"
                        + " ack_p50_ms=%.1f ack_p99_ms=%.1f worst_window_ack_p99_ms=%.1f checkpoints=%d chunks=%d"
                        + " rollup_runs=%.0f readings_lost=%d readings_duplicated=%d",
                windows.size() * o.windowLength().toSeconds() / 60, o.rate(), rps, minRps,
                measured.getValueAtPercentile(50) / 1000.0, measured.getValueAtPercentile(99) / 1000.0, worstP99,
                checkpoints, chunks, rollups, lost, duplicated);
    }
}
