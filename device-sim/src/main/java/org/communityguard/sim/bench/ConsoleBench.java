package org.communityguard.sim.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * {@code deploy/bench.sh console}'s driver. {@code site} writes the benchmark community's site file
 * (the hub loads it). {@code load} stores the history (readings over the last days and past
 * incidents) into the hub's database with COPY while the hub is stopped (so its rollup does not
 * race the load). {@code measure}, against the restarted hub: waits for its hourly rollup, then
 * the board's load as a browser fetches it, and 7-day charts of single devices as the API
 * answers them. The last line is {@code RESULT board_load_ms=<n> chart_7d_ms=<n>}
 * (docs/benchmarks.md).
 */
public final class ConsoleBench {

    static final String USAGE = """
            usage: ConsoleBench site --out FILE [--devices N] [--buildings N]
                   ConsoleBench load --db-url JDBC_URL [options]       (the hub stopped)
                   ConsoleBench measure --hub http://HOST:PORT --db-url JDBC_URL [options]
              --devices N           devices in the community (500)
              --buildings N         buildings (25)
              --readings N          readings stored before measuring (50000000)
              --days N              days of history they span, ending now (30)
              --incidents N         past incidents (10000), of which --open N are still open (25)
              --copy-connections N  parallel COPY connections while loading (2)
              --rounds N            board loads measured, after 5 unmeasured (30)
              --charts N            devices whose 7-day chart is measured (20)
              --db-user NAME        (postgres)  --db-password TEXT (empty)
            The admin password comes from BENCH_ADMIN_PASSWORD.
            """;

    private static final long COMMIT_ROWS = 1_000_000;
    private static final int FLUSH_CHARS = 256 * 1024;

    private ConsoleBench() {
    }

    public static void main(String[] args) {
        int code;
        try {
            code = run(args, System.getenv(), System.out, System.err);
        } catch (Exception e) {
            System.err.println("ConsoleBench: the benchmark could not run: " + e);
            e.printStackTrace();
            code = 3;
        }
        System.exit(code);
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) throws Exception {
        if (args.length == 0 || !List.of("site", "load", "measure").contains(args[0])) {
            err.print(USAGE);
            return 2;
        }
        Map<String, String> o = new HashMap<>();
        for (int i = 1; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                err.println("ConsoleBench: expected --option value at '" + args[i] + "'");
                err.print(USAGE);
                return 2;
            }
            o.put(args[i].substring(2), args[i + 1]);
        }
        int devices = Integer.parseInt(o.getOrDefault("devices", "500"));
        int buildings = Integer.parseInt(o.getOrDefault("buildings", "25"));
        List<ConsoleHistory.Device> community = ConsoleHistory.devices(devices, buildings);
        if (args[0].equals("site")) {
            Files.writeString(Path.of(o.get("out")), ConsoleHistory.siteYaml(community, buildings));
            return 0;
        }
        String password = env.getOrDefault("BENCH_ADMIN_PASSWORD", "");
        String dbUrl = o.get("db-url");
        String dbUser = o.getOrDefault("db-user", "postgres");
        String dbPassword = o.getOrDefault("db-password", "");
        long readings = Long.parseLong(o.getOrDefault("readings", "50000000"));
        int days = Integer.parseInt(o.getOrDefault("days", "30"));
        int incidents = Integer.parseInt(o.getOrDefault("incidents", "10000"));
        int open = Integer.parseInt(o.getOrDefault("open", "25"));
        int connections = Integer.parseInt(o.getOrDefault("copy-connections", "2"));
        int rounds = Integer.parseInt(o.getOrDefault("rounds", "30"));
        int charts = Integer.parseInt(o.getOrDefault("charts", "20"));
        String hub = o.get("hub");
        boolean loading = args[0].equals("load");
        if (dbUrl == null || (!loading && (hub == null || password.isEmpty())) || open > devices || open > incidents) {
            err.println("ConsoleBench: --db-url is required, and to measure --hub and BENCH_ADMIN_PASSWORD;"
                    + " --open at most --devices and --incidents");
            err.print(USAGE);
            return 2;
        }
        return loading
                ? load(dbUrl, dbUser, dbPassword, community, readings, days, buildings, incidents, open, connections, out, err)
                : measure(dbUrl, dbUser, dbPassword, community, hub, password, days, rounds, charts, out);
    }

    private static int load(String dbUrl, String dbUser, String dbPassword, List<ConsoleHistory.Device> community,
                            long readings, int days, int buildings, int incidents, int open, int connections,
                            PrintStream out, PrintStream err) throws Exception {
        int devices = community.size();

        long now = System.currentTimeMillis();
        long from = now - Duration.ofDays(days).toMillis();
        try (Connection db = DriverManager.getConnection(dbUrl, dbUser, dbPassword)) {
            if (scalar(db, "SELECT count(*) FROM timescaledb_information.hypertables WHERE hypertable_name = 'readings'") != 1) {
                err.println("ConsoleBench: readings is not a hypertable");
                return 2;
            }
            if (scalar(db, "SELECT count(*) FROM (SELECT 1 FROM readings LIMIT 1) r") != 0) {
                err.println("ConsoleBench: readings is not empty; the benchmark stores its own history");
                return 2;
            }
        }

        out.printf(Locale.ROOT, "history: %,d readings of %d devices in %d buildings over %d days (one every %.1f s per device),"
                        + " %,d incidents (%d open)%n", readings, devices, buildings, days,
                days * 86400.0 / (readings / (double) devices), incidents, open);
        long t0 = System.nanoTime();
        loadReadings(dbUrl, dbUser, dbPassword, community, readings, from, now, connections, out);
        double loadSeconds = (System.nanoTime() - t0) / 1e9;
        out.printf(Locale.ROOT, "readings stored in %.0f s (%,.0f rows/s, %d COPY connections)%n", loadSeconds,
                readings / loadSeconds, connections);
        try (Connection db = DriverManager.getConnection(dbUrl, dbUser, dbPassword)) {
            loadIncidents(db, community, incidents, open, from, now);
            try (Statement st = db.createStatement()) {
                st.execute("ANALYZE incidents");
                st.execute("ANALYZE incident_timeline");
                st.execute("ANALYZE incident_deadlines");
                st.execute("ANALYZE readings");
            }
            // What autovacuum does to insert-only chunks minutes after they are written (it sets the
            // visibility map, so the chart's per-hour counts are index-only): done now, for the last 8 days.
            long v = System.nanoTime();
            List<String> chunks = new ArrayList<>();
            try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT show_chunks('readings', newer_than => now() - interval '8 days')")) {
                while (rs.next()) {
                    chunks.add(rs.getString(1));
                }
            }
            try (Statement st = db.createStatement()) {
                for (String chunk : chunks) {
                    st.execute("VACUUM " + chunk);
                }
            }
            out.printf(Locale.ROOT, "vacuumed the %d chunks of the last 8 days in %.0f s%n", chunks.size(),
                    (System.nanoTime() - v) / 1e9);
            try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT (SELECT count(*) FROM incidents), (SELECT count(*) FROM incident_timeline),"
                            + " pg_size_pretty(hypertable_size('readings')),"
                            + " (SELECT count(*) FROM timescaledb_information.chunks WHERE hypertable_name = 'readings')")) {
                rs.next();
                out.printf(Locale.ROOT, "stored: %,d incidents with %,d timeline entries; readings take %s in %d chunks%n",
                        rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getLong(4));
            }
        }
        return 0;
    }

    private static int measure(String dbUrl, String dbUser, String dbPassword, List<ConsoleHistory.Device> community,
                               String hub, String password, int days, int rounds, int charts, PrintStream out)
            throws Exception {
        int devices = community.size();
        try (Connection db = DriverManager.getConnection(dbUrl, dbUser, dbPassword)) {
            long w = System.nanoTime();
            Instant caughtUp = Instant.now().minus(Duration.ofMinutes(5)).truncatedTo(java.time.temporal.ChronoUnit.HOURS);
            while (true) {
                try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(
                        "SELECT rolled_up_to FROM readings_hourly_progress")) {
                    if (rs.next() && !rs.getTimestamp(1).toInstant().isBefore(caughtUp)) {
                        break;
                    }
                }
                Thread.sleep(1000);
            }
            out.printf(Locale.ROOT, "the hub's hourly rollup caught up with the history in %.0f s (%d hours)%n",
                    (System.nanoTime() - w) / 1e9, days * 24);
        }

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String cookie = signIn(http, hub, password);
        ConsolePage page = new ConsolePage(http, hub, cookie);
        for (int i = 0; i < 5; i++) {
            page.load();
        }
        double[] board = new double[rounds];
        ConsolePage.Load last = null;
        for (int i = 0; i < rounds; i++) {
            long s = System.nanoTime();
            last = page.load();
            board[i] = (System.nanoTime() - s) / 1e6;
        }
        out.printf(Locale.ROOT, "board: %d loads of %d requests, %,d bytes, %d open incidents listed: p50 %.1f ms, p95 %.1f ms, max %.1f ms%n",
                rounds, last.requests(), last.bytes(), last.openIncidents(), percentile(board, 50), percentile(board, 95),
                percentile(board, 100));

        ObjectMapper json = new ObjectMapper();
        double[] first = new double[charts];
        double[] again = new double[charts];
        Instant to = Instant.ofEpochMilli(System.currentTimeMillis());
        Instant weekAgo = to.minus(Duration.ofDays(7));
        long pointsSeen = 0;
        long rowsSeen = 0;
        long recomputed = 0;
        for (int k = 0; k < charts; k++) {
            ConsoleHistory.Device d = community.get((int) ((long) k * devices / charts));
            String path = "/api/devices/" + d.id() + "/series?field=" + d.chartField() + "&from=" + weekAgo + "&to=" + to;
            long s = System.nanoTime();
            String body = page.get(path);
            first[k] = (System.nanoTime() - s) / 1e6;
            s = System.nanoTime();
            page.get(path);
            again[k] = (System.nanoTime() - s) / 1e6;
            JsonNode series = json.readTree(body);
            pointsSeen += series.path("points").size();
            recomputed += series.path("recomputed_hours").asLong();
            for (JsonNode p : series.path("points")) {
                rowsSeen += p.path("n").asLong();
            }
        }
        out.printf(Locale.ROOT, "chart 7d: %d devices, %.0f buckets and %,.0f readings each on average, %d hours"
                        + " recomputed; first request p50 %.1f ms, max %.1f ms; repeated p50 %.1f ms%n",
                charts, pointsSeen / (double) charts, rowsSeen / (double) charts, recomputed, percentile(first, 50),
                percentile(first, 100), percentile(again, 50));
        out.printf(Locale.ROOT, "RESULT board_load_ms=%.1f chart_7d_ms=%.1f%n", percentile(board, 50), percentile(first, 50));
        return 0;
    }

    /** Readings in time order, the time range split between the connections; each commits every million rows. */
    private static void loadReadings(String url, String user, String password, List<ConsoleHistory.Device> devices,
                                     long readings, long from, long to, int connections, PrintStream out) throws Exception {
        long steps = readings / devices.size();
        long stepMs = (to - from) / steps;
        AtomicLong stored = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        List<Future<?>> parts = new ArrayList<>();
        for (int p = 0; p < connections; p++) {
            long firstStep = steps * p / connections;
            long endStep = steps * (p + 1) / connections;
            parts.add(pool.submit(() -> {
                try (Connection c = DriverManager.getConnection(url, user, password)) {
                    c.setAutoCommit(false);
                    try (Statement st = c.createStatement()) {
                        // The history is set up, not measured: no need to wait for each commit's flush.
                        st.execute("SET synchronous_commit = off");
                    }
                    StringBuilder sb = new StringBuilder(FLUSH_CHARS + 64 * 1024);
                    CopyIn copy = null;
                    long inTx = 0;
                    for (long step = firstStep; step < endStep; step++) {
                        if (copy == null) {
                            copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn(
                                    "COPY readings (time, received_at, device_ts, gateway_id, device_id, device_type, kind,"
                                            + " seq, flags, data) FROM STDIN");
                        }
                        ConsoleHistory.appendStep(sb, devices, from + step * stepMs, stepMs, step);
                        inTx += devices.size();
                        if (sb.length() >= FLUSH_CHARS) {
                            write(copy, sb);
                        }
                        if (inTx >= COMMIT_ROWS) {
                            write(copy, sb);
                            copy.endCopy();
                            c.commit();
                            copy = null;
                            long total = stored.addAndGet(inTx);
                            inTx = 0;
                            if (total / 5_000_000 != (total - COMMIT_ROWS) / 5_000_000) {
                                synchronized (out) {
                                    out.printf(Locale.ROOT, "  %,d readings stored%n", total);
                                }
                            }
                        }
                    }
                    if (copy != null) {
                        write(copy, sb);
                        copy.endCopy();
                        c.commit();
                        stored.addAndGet(inTx);
                    }
                }
                return null;
            }));
        }
        pool.shutdown();
        for (Future<?> f : parts) {
            f.get();
        }
    }

    private static void write(CopyIn copy, StringBuilder sb) throws SQLException {
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        copy.writeToCopy(bytes, 0, bytes.length);
        sb.setLength(0);
    }

    /** Incidents by COPY, then each closed one's timeline (opened, acknowledged, resolved, closed) and every one's deadlines in SQL. */
    private static void loadIncidents(Connection db, List<ConsoleHistory.Device> devices, int count, int open,
                                      long from, long to) throws Exception {
        db.setAutoCommit(false);
        CopyIn copy = db.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY incidents (type, severity, status,"
                + " community_id, building_id, device_id, gateway_id, occurred_at, opened_at, summary, details) FROM STDIN");
        byte[] rows = ConsoleHistory.incidents(devices, count, open, from, to - Duration.ofMinutes(30).toMillis())
                .getBytes(StandardCharsets.UTF_8);
        copy.writeToCopy(rows, 0, rows.length);
        copy.endCopy();
        try (Statement st = db.createStatement()) {
            st.executeUpdate("""
                    INSERT INTO incident_timeline (incident_id, at, actor, action, details)
                    SELECT i.id, i.opened_at + step.after, step.actor, step.action, '{}'::jsonb
                    FROM incidents i
                    CROSS JOIN (VALUES (interval '0', 'system', 'opened'), (interval '3 minutes', 'pm-bench', 'acknowledged'),
                                       (interval '40 minutes', 'gw-bench', 'resolved'), (interval '2 hours', 'pm-bench', 'closed'))
                               AS step (after, actor, action)
                    WHERE step.action = 'opened' OR i.status = 'closed'
                    """);
            // Every incident has its three SLA deadlines, as the loop gives it: met for the past
            // ones, not yet for the open ones, whose board rows show the next one. No escalation
            // is scheduled (next_at), so the hub leaves them alone while it is measured.
            st.executeUpdate("""
                    INSERT INTO incident_deadlines (incident_id, step, due_at, period_s, level, met_at)
                    SELECT i.id, d.step, i.opened_at + d.after, extract(epoch FROM d.after)::int, 0,
                           CASE WHEN i.status IN ('closed', 'cancelled') THEN i.opened_at + d.after / 2 END
                    FROM incidents i
                    CROSS JOIN (VALUES ('acknowledge', interval '5 minutes'), ('on_site', interval '15 minutes'),
                                       ('resolve', interval '2 hours')) AS d (step, after)
                    """);
        }
        db.commit();
        db.setAutoCommit(true);
    }

    private static String signIn(HttpClient http, String hub, String password) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(hub + "/api/auth/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(new ObjectMapper().writeValueAsString(
                        Map.of("username", "admin", "password", password)))).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("sign-in answered " + r.statusCode() + ": " + r.body());
        }
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    private static long scalar(Connection db, String sql) throws SQLException {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The p-th percentile (nearest rank) of the values. */
    static double percentile(double[] values, double p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
