package org.communityguard.sim.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * {@code deploy/bench.sh ingest}'s driver. Against a running hub and its database, in
 * alternating rounds: the hub's durable, acknowledged ingest rate through the uplink, and the
 * raw COPY rate of the same kind of rows into the same hypertable; then a row-for-row check of
 * what the hub stored. Ends with the RESULT line (see docs/benchmarks.md).
 *
 * <p>Exit codes: 0 measured; 1 the hub lost, duplicated or refused something (no RESULT then);
 * 2 bad command line or a database that would not give honest figures; 3 the benchmark could
 * not run (a connection failed, ...).
 */
public final class IngestBench {

    /** The COPY phase numbers its readings from here; the uplink phase from 0 never gets near. */
    static final long COPY_FIRST_SEQ = 2_000_000_000L;

    /**
     * A measurement during which other programs used more than this many cores is marked
     * disturbed (so is one with a checkpoint): on a shared 2-core machine a neighbour's build
     * halves either rate.
     */
    static final double DISTURBED_CORES = 0.10;

    private IngestBench() {
    }

    public static void main(String[] args) {
        int code;
        try {
            code = run(args, System.getenv(), System.out, System.err);
        } catch (Exception e) {
            System.err.println("IngestBench: the benchmark could not run: " + e);
            e.printStackTrace();
            code = 3;
        }
        // Exit explicitly: Paho's and the JDBC driver's threads must not keep bench.sh waiting.
        System.exit(code);
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) throws Exception {
        if ((args.length == 3 || args.length == 5 && "--buildings".equals(args[3])) && "site".equals(args[0])
                && "--out".equals(args[1])) {
            // "site --out FILE [--buildings N]": the site file of the gateways' fleets (Fleet#siteYaml), for the hub.
            List<String> ids = BenchOptions.gateways(env.getOrDefault(BenchOptions.GATEWAYS_VARIABLE, ""))
                    .stream().map(BenchOptions.Gateway::id).toList();
            int buildings = args.length == 5 ? Integer.parseInt(args[4]) : 1;
            java.nio.file.Files.writeString(java.nio.file.Path.of(args[2]), Fleet.siteYaml(ids, buildings));
            return 0;
        }
        BenchOptions o;
        try {
            o = BenchOptions.parse(args, env);
        } catch (BenchOptions.UsageException e) {
            err.println("IngestBench: " + e.getMessage());
            err.print(BenchOptions.USAGE);
            return 2;
        }
        Map<String, String> server;
        try (Connection db = DriverManager.getConnection(o.dbUrl(), o.dbUser(), o.dbPassword())) {
            server = serverFacts(db);
        }
        List<String> unusable = unusable(server);
        if (!unusable.isEmpty()) {
            err.println("IngestBench: this database would not give honest figures: " + String.join("; ", unusable));
            return 2;
        }
        out.println("database: PostgreSQL " + server.get("server_version") + ", TimescaleDB " + server.get("timescaledb")
                + ", readings is a hypertable");
        out.println("database settings: " + settingsLine(server));
        out.printf(Locale.ROOT, "load: %d gateways, %d readings per batch, window %d batches%n",
                o.gateways().size(), o.batchReadings(), o.window());

        try (WalProbe wal = new WalProbe(o.dbUrl(), o.dbUser(), o.dbPassword())) {
            return measure(o, new Probes(new ProcCpu(o.hubPid(), o.postgresPid()), wal), out, err);
        }
    }

    private static int measure(BenchOptions o, Probes probes, PrintStream out, PrintStream err) throws Exception {
        Counts before = counts(o.dbUrl(), o.dbUser(), o.dbPassword());
        UplinkLoad load = new UplinkLoad(o.uplinkUrl(), o.gateways(), o.batchReadings(), o.window());
        CopyLoad copy = new CopyLoad(o.dbUrl(), o.dbUser(), o.dbPassword(), o.gateways(), o.batchReadings(),
                o.commitRows(), COPY_FIRST_SEQ);
        load.start();
        out.printf(Locale.ROOT, "uplink: %d gateways connected, window %d batches each (the hub's Receive Maximum caps it)%n",
                o.gateways().size(), load.effectiveWindow());
        out.printf(Locale.ROOT, "raw COPY: %d connections, commit every %,d rows%n", o.copyConnections(), o.commitRows());
        out.printf(Locale.ROOT, "%d rounds of: hub measured %d s, then raw COPY measured %d s (%d s ramp before each"
                        + " but the first, which has a %d s warm-up)%n", o.rounds(), o.duration().toSeconds(),
                o.copyDuration().toSeconds(), o.ramp().toSeconds(), o.warmup().toSeconds());

        List<String> problems = new ArrayList<>();
        List<Round> rounds = rounds(o, load, copy, probes, out, problems);
        Histogram latency = load.latencyMicros().copy();
        List<CurvePoint> curve = problems.isEmpty() ? curve(o, load, median(counted(rounds).stream().map(Round::hub).toList()),
                out) : List.of();
        boolean drained = load.stop(Duration.ofMinutes(2));
        if (!drained) {
            problems.add("batches still unacknowledged two minutes after the load stopped");
        }
        double p50 = latency.getValueAtPercentile(50) / 1000.0;
        double p99 = latency.getValueAtPercentile(99) / 1000.0;
        out.println();
        out.printf(Locale.ROOT, "ack latency of the rounds (closed loop: publish to PUBACK, %,d batches in the measured windows): p50 %.1f ms,"
                + " p99 %.1f ms, max %.1f ms%n", latency.getTotalCount(), p50, p99, latency.getMaxValue() / 1000.0);
        problems.addAll(check(before, counts(o.dbUrl(), o.dbUser(), o.dbPassword()), load, out));
        if (!problems.isEmpty()) {
            err.println();
            err.println("IngestBench: FAILED, the hub did not store exactly what it acknowledged:");
            problems.forEach(p -> err.println("  - " + p));
            return 1;
        }

        CopyLoad.Result best = scan(o, copy, probes, out);
        try (Connection db = DriverManager.getConnection(o.dbUrl(), o.dbUser(), o.dbPassword());
             Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_size_pretty(hypertable_size('readings')), count(*) FROM readings")) {
            rs.next();
            out.printf(Locale.ROOT, "readings at the end: %,d rows, %s with indexes%n", rs.getLong(2), rs.getString(1));
        }

        List<Round> counted = counted(rounds);
        double hubRps = median(counted.stream().map(Round::hub).toList());
        double copyRps = median(counted.stream().map(Round::copy).toList());
        out.println();
        out.printf(Locale.ROOT, "median of %d %s rounds: hub %s, raw COPY %s%n", counted.size(),
                counted == rounds && rounds.stream().anyMatch(Round::disturbed) ? "(all disturbed)" : "undisturbed",
                Report.rate(hubRps), Report.rate(copyRps));
        if (best != null) {
            out.printf(Locale.ROOT, "best raw COPY of the scan: %s with %d connection%s (hub median / that = %.2f)%s%n",
                    Report.rate(best.rate().perSecond()), best.connections(), best.connections() == 1 ? "" : "s",
                    hubRps / best.rate().perSecond(), best.window().disturbed() ? ", every step disturbed" : "");
        }
        out.println(Report.resultLine(hubRps, copyRps, p50, p99) + Report.curveKeys(curve));
        return 0;
    }

    /** Undisturbed rounds only, when there is one: a neighbour's burst says nothing about the hub. */
    private static List<Round> counted(List<Round> rounds) {
        List<Round> undisturbed = rounds.stream().filter(r -> !r.disturbed()).toList();
        return undisturbed.isEmpty() ? rounds : undisturbed;
    }

    /**
     * One step of the load curve: offered open loop at {@code pct} of the hub's median rate.
     * {@code hubP99Ms} and {@code commitP99Ms} are bucket bounds from the hub's /metrics (NaN
     * without --hub-http): the hub's own part of a batch's wait, from arrival to commit, and one
     * transaction; what the ack adds beyond the first is the network, MQTT and the driver.
     */
    record CurvePoint(int pct, double offeredRps, double storedRps, long batches, double ackP50Ms, double ackP99Ms,
                      double ackMaxMs, double hubP99Ms, double commitP99Ms) {
    }

    /**
     * The load curve: each step offers a share of the hub's measured rate at a fixed pace (open
     * loop: a slow answer does not slow the offer down, as devices do not), and measures what was
     * stored and how long each batch waited for its PUBACK. The rows count in the final check.
     */
    private static List<CurvePoint> curve(BenchOptions o, UplinkLoad load, double hubRps, PrintStream out)
            throws InterruptedException, IOException {
        List<CurvePoint> points = new ArrayList<>();
        if (o.curve().isEmpty()) {
            return points;
        }
        HttpClient http = HttpClient.newHttpClient();
        HubHistogram hubPart = o.hubHttp().isEmpty() ? null
                : new HubHistogram(http, o.hubHttp(), HubHistogram.INGEST_LATENCY, "routine");
        HubHistogram commits = o.hubHttp().isEmpty() ? null
                : new HubHistogram(http, o.hubHttp(), HubHistogram.INGEST_COMMIT, null);
        out.println();
        out.printf(Locale.ROOT, "load curve: open loop, shares of the hub's median %s, %d s ramp and %d s measured each%n",
                Report.rate(hubRps), o.ramp().toSeconds(), o.duration().toSeconds());
        for (int pct : o.curve()) {
            double offered = hubRps * pct / 100;
            load.offer(offered);
            load.resume();
            Thread.sleep(o.ramp().toMillis());
            Histogram before = load.latencyMicros().copy();
            HubHistogram.Snapshot hubBefore = hubPart == null ? null : hubPart.snapshot();
            HubHistogram.Snapshot commitsBefore = commits == null ? null : commits.snapshot();
            load.measuring(true);
            Throughput acked = Throughput.start(load::ackedReadings);
            Thread.sleep(o.duration().toMillis());
            Throughput.Rate stored = acked.stop();
            load.measuring(false);
            Histogram step = load.latencyMicros().copy();
            step.subtract(before);
            double hubP99 = hubPart == null ? Double.NaN : hubPart.snapshot().since(hubBefore).percentileBoundMs(99);
            double commitP99 = commits == null ? Double.NaN : commits.snapshot().since(commitsBefore).percentileBoundMs(99);
            CurvePoint p = new CurvePoint(pct, offered, stored.perSecond(), step.getTotalCount(),
                    step.getValueAtPercentile(50) / 1000.0, step.getValueAtPercentile(99) / 1000.0, step.getMaxValue() / 1000.0,
                    hubP99, commitP99);
            points.add(p);
            out.printf(Locale.ROOT, "  %3d%%: offered %s, stored %s (%.2f of the offer); ack p50 %.1f ms, p99 %.1f ms,"
                    + " max %.1f ms (%,d batches)%s%n", pct, Report.rate(offered), Report.rate(p.storedRps()),
                    p.storedRps() / offered, p.ackP50Ms(), p.ackP99Ms(), p.ackMaxMs(), p.batches(),
                    Double.isNaN(hubP99) ? "" : String.format(Locale.ROOT, "; hub arrival to commit p99 <= %.0f ms,"
                            + " one commit p99 <= %.0f ms", hubP99, commitP99));
        }
        load.offer(0);
        return points;
    }

    /**
     * The measured rounds. They alternate hub and raw COPY so that both see the same table size
     * and the same neighbours on a shared machine: each ratio compares measurements seconds apart.
     */
    private static List<Round> rounds(BenchOptions o, UplinkLoad load, CopyLoad copy, Probes probes, PrintStream out,
                                      List<String> problems) throws Exception {
        List<Round> rounds = new ArrayList<>();
        Thread.sleep(o.warmup().toMillis());
        for (int round = 1; round <= o.rounds(); round++) {
            if (round > 1) {
                load.resume();
                Thread.sleep(o.ramp().toMillis());
            }
            Probes.Sample hubBefore = probes.sample();
            load.measuring(true);
            Throughput acked = Throughput.start(load::ackedReadings);
            Thread.sleep(o.duration().toMillis());
            Throughput.Rate hub = acked.stop();
            load.measuring(false);
            Probes.Window hubWindow = Probes.between(hubBefore, probes.sample());
            // The database is the raw COPY's alone: nothing of the hub's is left in flight.
            if (!load.pause(Duration.ofMinutes(2))) {
                problems.add("batches still unacknowledged two minutes after round " + round + "'s load paused");
                break;
            }
            CopyLoad.Result raw = copy.run(o.copyConnections(), o.ramp(), o.copyDuration(), probes);
            Round r = new Round(hub.perSecond(), raw.rate().perSecond(), hubWindow, raw.window());
            rounds.add(r);
            out.println();
            out.printf(Locale.ROOT, "round %d: hub %s, raw COPY %s, ratio %.2f%s%n", round, Report.rate(r.hub()),
                    Report.rate(r.copy()), r.hub() / r.copy(), r.disturbed() ? " (disturbed: " + r.disturbance() + ")" : "");
            out.printf(Locale.ROOT, "  hub: %,d readings acknowledged in %.1f s; per 5 s: %s%n", hub.count(), hub.seconds(),
                    Report.slices(hub.slices()));
            printWindow(out, hubWindow, hub.perSecond(), hub.count());
            printCopy(out, "  raw", raw);
        }
        return rounds;
    }

    /** What is wrong with what the hub stored, compared with what it acknowledged; empty when nothing. */
    static List<String> check(Counts before, Counts after, UplinkLoad load, PrintStream out) {
        List<String> problems = new ArrayList<>();
        if (load.failureCount() > 0) {
            problems.add(load.failureCount() + " batches or connections failed, first: " + load.firstFailures());
        }
        long rows = after.hubReadings() - before.hubReadings();
        long keys = after.batches() - before.batches();
        out.printf(Locale.ROOT, "check: %,d batches / %,d readings acknowledged; the table has %,d new uplink rows"
                        + " (%,d distinct (device, seq)) and %,d new batch keys%n", load.ackedBatches(), load.ackedReadings(),
                rows, after.hubDistinct() - before.hubDistinct(), keys);
        if (rows != load.ackedReadings()) {
            problems.add("readings table grew by " + rows + " uplink rows but the hub acknowledged " + load.ackedReadings());
        }
        if (keys != load.ackedBatches()) {
            problems.add("uplink_batches grew by " + keys + " but the hub acknowledged " + load.ackedBatches() + " batches");
        }
        if (after.hubDistinct() != after.hubReadings()) {
            problems.add((after.hubReadings() - after.hubDistinct()) + " uplink readings are stored more than once");
        }
        return problems;
    }

    /** Raw COPY with 1..N connections, to show the comparison's C is not a poor choice; the fastest, or null. */
    private static CopyLoad.Result scan(BenchOptions o, CopyLoad copy, Probes probes, PrintStream out) throws Exception {
        if (o.copyScanUpTo() == 0) {
            return null;
        }
        List<CopyLoad.Result> results = new ArrayList<>();
        out.println();
        out.printf(Locale.ROOT, "raw COPY by number of connections (%d s each):%n", o.copyScanDuration().toSeconds());
        for (int c = 1; c <= o.copyScanUpTo(); c++) {
            CopyLoad.Result r = copy.run(c, o.ramp(), o.copyScanDuration(), probes);
            printCopy(out, "  C=" + c + (r.window().disturbed() ? " (disturbed: " + r.window().disturbance() + ")" : ""), r);
            results.add(r);
        }
        // As for the rounds: a disturbed step competes only when every step was disturbed.
        List<CopyLoad.Result> candidates = results.stream().filter(r -> !r.window().disturbed()).toList();
        return (candidates.isEmpty() ? results : candidates).stream()
                .max((a, b) -> Double.compare(a.rate().perSecond(), b.rate().perSecond())).orElseThrow();
    }

    /** One round's two rates and what else happened during their windows. */
    record Round(double hub, double copy, Probes.Window hubWindow, Probes.Window copyWindow) {
        boolean disturbed() {
            return hubWindow.disturbed() || copyWindow.disturbed();
        }

        String disturbance() {
            List<String> why = new ArrayList<>();
            if (hubWindow.disturbed()) {
                why.add("hub window: " + hubWindow.disturbance());
            }
            if (copyWindow.disturbed()) {
                why.add("COPY window: " + copyWindow.disturbance());
            }
            return String.join("; ", why);
        }
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static void printCopy(PrintStream out, String label, CopyLoad.Result r) {
        out.printf(Locale.ROOT, "%s: %s rows committed by %d connection%s (%,d in %.1f s, %d commits; per 5 s: %s)%n",
                label, Report.rate(r.rate().perSecond()), r.connections(), r.connections() == 1 ? "" : "s",
                r.rate().count(), r.rate().seconds(),
                r.commitsInWindow(), Report.slices(r.rate().slices()));
        printWindow(out, r.window(), r.rate().perSecond(), r.rate().count());
    }

    private static void printWindow(PrintStream out, Probes.Window w, double rowsPerSecond, long rows) {
        out.println("       cpu: " + Report.cpuLine(w.cpu(), rowsPerSecond));
        out.printf(Locale.ROOT, "       wal: %.1f MB/s, %s%s%n", w.walBytes() / w.cpu().seconds() / 1e6,
                rows > 0 ? String.format(Locale.ROOT, "%d bytes/row", w.walBytes() / rows) : "-",
                w.checkpoints() > 0 ? ", a checkpoint completed during this window" : "");
    }

    /** Rows the uplink phase stored (sequence numbers below the COPY phase's), and batch keys. */
    /** The uplink's rows in {@code readings}, their distinct (device, seq) pairs, and the batch keys. */
    record Counts(long hubReadings, long hubDistinct, long batches) {
    }

    static Counts counts(String url, String user, String password) throws SQLException {
        try (Connection db = DriverManager.getConnection(url, user, password);
             Statement st = db.createStatement()) {
            long readings;
            long distinct;
            long batches;
            try (ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT (device_id, seq)) FROM readings"
                    + " WHERE seq < " + COPY_FIRST_SEQ)) {
                rs.next();
                readings = rs.getLong(1);
                distinct = rs.getLong(2);
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM uplink_batches")) {
                rs.next();
                batches = rs.getLong(1);
            }
            return new Counts(readings, distinct, batches);
        }
    }

    /** Versions, durability settings and whether readings is a hypertable, from the server itself. */
    static Map<String, String> serverFacts(Connection db) throws SQLException {
        Map<String, String> facts = new LinkedHashMap<>();
        try (Statement st = db.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT name, current_setting(name) FROM pg_settings WHERE name IN"
                    + " ('server_version', 'fsync', 'synchronous_commit', 'full_page_writes', 'wal_level',"
                    + " 'shared_buffers', 'max_wal_size', 'checkpoint_timeout', 'wal_compression') ORDER BY name")) {
                while (rs.next()) {
                    facts.put(rs.getString(1), rs.getString(2));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'")) {
                facts.put("timescaledb", rs.next() ? rs.getString(1) : null);
            }
            if (facts.get("timescaledb") != null) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM timescaledb_information.hypertables"
                        + " WHERE hypertable_name = 'readings'")) {
                    rs.next();
                    facts.put("hypertable", Boolean.toString(rs.getLong(1) == 1));
                }
            }
        }
        return facts;
    }

    /** Why these figures would mislead, if they would: a benchmark of a non-durable server says nothing. */
    static List<String> unusable(Map<String, String> server) {
        List<String> why = new ArrayList<>();
        for (String setting : List.of("fsync", "synchronous_commit", "full_page_writes")) {
            if (!"on".equals(server.get(setting))) {
                why.add(setting + " is " + server.get(setting) + ", not on");
            }
        }
        if (server.get("timescaledb") == null) {
            why.add("the timescaledb extension is not enabled");
        } else if (!"true".equals(server.get("hypertable"))) {
            why.add("readings is not a hypertable");
        }
        return why;
    }

    static String settingsLine(Map<String, String> server) {
        StringBuilder sb = new StringBuilder();
        for (var e : server.entrySet()) {
            if (!List.of("server_version", "timescaledb", "hypertable").contains(e.getKey())) {
                sb.append(sb.length() == 0 ? "" : ", ").append(e.getKey()).append('=').append(e.getValue());
            }
        }
        return sb.toString();
    }
}
