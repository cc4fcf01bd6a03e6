package org.communityguard.sim.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The driver's command line. deploy/bench.sh passes everything; the defaults are the ones
 * docs/benchmarks.md reports. The gateways come from {@code HUB_UPLINK_GATEWAYS}, the very value
 * the hub was started with, so the two cannot disagree.
 */
public record BenchOptions(
        String uplinkUrl,
        String dbUrl,
        String dbUser,
        String dbPassword,
        List<Gateway> gateways,
        int batchReadings,
        int window,
        Duration warmup,
        Duration duration,
        int copyConnections,
        int commitRows,
        Duration ramp,
        int rounds,
        Duration copyDuration,
        int copyScanUpTo,
        Duration copyScanDuration,
        long hubPid,
        long postgresPid,
        List<Integer> curve,
        String hubHttp) {

    /** A benchmark gateway and its secret, as registered at the hub. */
    public record Gateway(String id, String secret) {
    }

    private static final Set<String> FLAGS = Set.of("uplink", "db-url", "db-user", "db-password", "batch", "window",
            "warmup", "duration", "copy-connections", "commit-rows", "ramp", "rounds", "copy-duration", "copy-scan",
            "copy-scan-duration", "hub-pid", "postgres-pid", "curve", "hub-http");

    public static final String GATEWAYS_VARIABLE = "HUB_UPLINK_GATEWAYS";

    static final String USAGE = """
            usage: IngestBench --uplink tcp://HOST:PORT --db-url JDBC_URL [options]
              gateways and their secrets: %s (id:secret,...), as given to the hub
              --db-user NAME            database user (postgres)
              --db-password TEXT        database password (empty)
              --batch N                 readings per uplink batch (500, at most 5000)
              --window N                unacknowledged batches per gateway, capped by the hub's Receive Maximum (2)
              --warmup S                seconds of uplink load before the first measurement (20)
              --rounds N                rounds of (hub measured, then raw COPY measured) (5)
              --duration S              measured seconds of hub ingest per round (15)
              --copy-duration S         measured seconds of raw COPY per round (as --duration)
              --ramp S                  seconds of load before each later measurement (3)
              --copy-connections N      parallel COPY connections, as the hub's HUB_INGEST_WRITERS (2)
              --commit-rows N           rows per COPY transaction, as the hub's HUB_INGEST_MAX_READINGS_PER_COMMIT (20000)
              --copy-scan N             also measure COPY with 1..N connections, best reported; 0 skips (4)
              --copy-scan-duration S    measured seconds of each scan step (8)
              --hub-pid PID             the hub JVM, for its CPU use (none)
              --postgres-pid PID        the postmaster, for the server's CPU use (none)
              --curve LIST              after the rounds, offer these percentages of the hub's median rate,
                                        open loop, each for --duration: stored rate and ack latency per step;
                                        "none" skips (10,25,50,75,100)
              --hub-http URL            the hub's HTTP base URL: each curve step also reads the hub's own
                                        part of the wait and its commits from /metrics (none)
            """.formatted(GATEWAYS_VARIABLE);

    /** A wrong command line, with a message that names the flag. */
    public static final class UsageException extends Exception {
        public UsageException(String message) {
            super(message);
        }
    }

    static BenchOptions parse(String[] args, Map<String, String> env) throws UsageException {
        Map<String, String> flags = flags(args, FLAGS);
        List<Gateway> gateways = gateways(env);
        Duration duration = seconds(flags, "duration", 15, 1);
        return new BenchOptions(
                required(flags, "uplink"),
                required(flags, "db-url"),
                flags.getOrDefault("db-user", "postgres"),
                flags.getOrDefault("db-password", ""),
                gateways,
                integer(flags, "batch", 500, 1, 5000),
                integer(flags, "window", 2, 1, 65535),
                seconds(flags, "warmup", 20, 0),
                duration,
                integer(flags, "copy-connections", 2, 1, 64),
                integer(flags, "commit-rows", 20_000, 1, 10_000_000),
                seconds(flags, "ramp", 3, 0),
                integer(flags, "rounds", 5, 1, 100),
                flags.containsKey("copy-duration") ? seconds(flags, "copy-duration", 0, 1) : duration,
                integer(flags, "copy-scan", 4, 0, 64),
                seconds(flags, "copy-scan-duration", 8, 1),
                integer(flags, "hub-pid", 0, 0, Integer.MAX_VALUE),
                integer(flags, "postgres-pid", 0, 0, Integer.MAX_VALUE),
                curve(flags.getOrDefault("curve", "10,25,50,75,100")),
                flags.getOrDefault("hub-http", ""));
    }

    /** Percentages of the hub's rate, 1 to 100 each, in the order given; none for "none". */
    static List<Integer> curve(String text) throws UsageException {
        if ("none".equals(text)) {
            return List.of();
        }
        List<Integer> steps = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            try {
                int pct = Integer.parseInt(part.trim());
                if (pct < 1 || pct > 100) {
                    throw new UsageException("--curve steps are percentages from 1 to 100, not " + pct);
                }
                steps.add(pct);
            } catch (NumberFormatException e) {
                throw new UsageException("--curve must be percentages separated by commas, or none, not '" + text + "'");
            }
        }
        return List.copyOf(steps);
    }

    /** "--name value" pairs, each name one of {@code known}; every flag takes a value. */
    public static Map<String, String> flags(String[] args, Set<String> known) throws UsageException {
        Map<String, String> flags = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new UsageException("expected --flag value, got '" + args[i] + "'");
            }
            String name = args[i].substring(2);
            if (!known.contains(name)) {
                throw new UsageException("unknown flag --" + name);
            }
            flags.put(name, args[i + 1]);
        }
        return flags;
    }

    /** The gateways of {@value #GATEWAYS_VARIABLE} in {@code env}: at least one. */
    public static List<Gateway> gateways(Map<String, String> env) throws UsageException {
        List<Gateway> gateways = gateways(env.getOrDefault(GATEWAYS_VARIABLE, ""));
        if (gateways.isEmpty()) {
            throw new UsageException(GATEWAYS_VARIABLE + " names no gateway (id:secret,...)");
        }
        return gateways;
    }

    public static List<Gateway> gateways(String pairs) throws UsageException {
        List<Gateway> out = new ArrayList<>();
        for (String pair : pairs.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int colon = pair.indexOf(':');
            if (colon < 1 || colon == pair.length() - 1) {
                throw new UsageException(GATEWAYS_VARIABLE + ": '" + pair.split(":")[0] + "' is not id:secret");
            }
            out.add(new Gateway(pair.substring(0, colon).trim(), pair.substring(colon + 1).trim()));
        }
        return out;
    }

    public static String required(Map<String, String> flags, String name) throws UsageException {
        String value = flags.get(name);
        if (value == null || value.isBlank()) {
            throw new UsageException("--" + name + " is required");
        }
        return value;
    }

    public static int integer(Map<String, String> flags, String name, int dflt, int min, int max) throws UsageException {
        String text = flags.get(name);
        if (text == null) {
            return dflt;
        }
        try {
            int value = Integer.parseInt(text);
            if (value < min || value > max) {
                throw new UsageException("--" + name + " must be " + min + " to " + max + ", not " + value);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a whole number, not '" + text + "'");
        }
    }

    public static Duration seconds(Map<String, String> flags, String name, int dflt, int min) throws UsageException {
        return Duration.ofSeconds(integer(flags, name, dflt, min, 3600));
    }
}
