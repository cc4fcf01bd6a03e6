package org.communityguard.sim.bench.gateways;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.communityguard.sim.bench.BenchOptions;

/**
 * {@code GatewaysBench}'s command line. deploy/bench.sh passes what the hub and database are;
 * the load's defaults are the ones docs/benchmarks.md describes. The gateways come from
 * {@code HUB_UPLINK_GATEWAYS}, the very value the hub was started with.
 *
 * @param readingEvery each device reports once this often
 * @param linger       a batch leaves this long after its first reading fell due (the edge agent's uplink.linger)
 * @param window       batches a gateway keeps unacknowledged at most, capped by the hub's Receive Maximum
 * @param alarmEvery   one smoke alarm hub-wide this often, from the gateways in turn; zero for none
 * @param stormTimeout how long the storm may take for every gateway to be back; it is reported as not back after
 */
record GatewaysOptions(
        URI uplink,
        String hub,
        String dbUrl,
        String dbUser,
        String dbPassword,
        List<BenchOptions.Gateway> gateways,
        Duration readingEvery,
        Duration linger,
        int window,
        Duration alarmEvery,
        Duration connectTimeout,
        Duration warmup,
        Duration steady,
        Duration stormTimeout,
        Duration settle,
        int ioThreads,
        long hubPid,
        long seed) {

    static final String USAGE = """
            usage: GatewaysBench --uplink tcp://HOST:PORT --hub http://HOST:PORT --db-url JDBC_URL [options]
              gateways and their secrets: %s (id:secret,...), as given to the hub
              --db-user NAME          database user (postgres)
              --db-password TEXT      database password (empty)
              --reading-every S       each device (100 a gateway) reports once every S seconds (60)
              --linger MS             a batch leaves MS after its first reading fell due, as the edge agent's
                                      uplink.linger (100)
              --window N              unacknowledged batches per gateway, capped by the hub's Receive Maximum (16)
              --alarm-every S         one smoke alarm hub-wide every S seconds, gateways in turn; 0 for none (10)
              --connect-timeout S     connecting every gateway may take this long, else the run stops (600)
              --warmup S              seconds of load before the steady state is measured (10)
              --steady S              measured seconds of steady state (60)
              --storm-timeout S       seconds the reconnect storm may take before it is reported as not back (180)
              --settle S              seconds the storm is watched after every gateway is back (10)
              --io-threads N          event loop threads of all the gateways' connections (2)
              --hub-pid PID           the hub JVM, for its resident memory (none)
              --seed N                the devices' phases and values (from the clock)
            """.formatted(BenchOptions.GATEWAYS_VARIABLE);

    private static final Set<String> FLAGS = Set.of("uplink", "hub", "db-url", "db-user", "db-password", "reading-every",
            "linger", "window", "alarm-every", "connect-timeout", "warmup", "steady", "storm-timeout", "settle",
            "io-threads", "hub-pid", "seed");

    /** A mistake is a UsageException whose message names the flag. */
    static GatewaysOptions parse(String[] args, Map<String, String> env) throws BenchOptions.UsageException {
        Map<String, String> flags = BenchOptions.flags(args, FLAGS);
        List<BenchOptions.Gateway> gateways = BenchOptions.gateways(env);
        String url = BenchOptions.required(flags, "uplink");
        URI uplink;
        try {
            uplink = new URI(url);
        } catch (URISyntaxException e) {
            uplink = null;
        }
        if (uplink == null || !"tcp".equals(uplink.getScheme()) || uplink.getHost() == null || uplink.getPort() < 1) {
            throw new BenchOptions.UsageException("--uplink must be tcp://HOST:PORT, not '" + url + "'");
        }
        return new GatewaysOptions(uplink, BenchOptions.required(flags, "hub"), BenchOptions.required(flags, "db-url"),
                flags.getOrDefault("db-user", "postgres"), flags.getOrDefault("db-password", ""), gateways,
                BenchOptions.seconds(flags, "reading-every", 60, 1),
                Duration.ofMillis(BenchOptions.integer(flags, "linger", 100, 0, 10_000)),
                BenchOptions.integer(flags, "window", 16, 1, 65535),
                BenchOptions.seconds(flags, "alarm-every", 10, 0),
                BenchOptions.seconds(flags, "connect-timeout", 600, 1),
                BenchOptions.seconds(flags, "warmup", 10, 0),
                BenchOptions.seconds(flags, "steady", 60, 1),
                BenchOptions.seconds(flags, "storm-timeout", 180, 1),
                BenchOptions.seconds(flags, "settle", 10, 0),
                BenchOptions.integer(flags, "io-threads", 2, 1, 64),
                BenchOptions.integer(flags, "hub-pid", 0, 0, Integer.MAX_VALUE),
                BenchOptions.integer(flags, "seed", (int) (System.nanoTime() & Integer.MAX_VALUE), 0, Integer.MAX_VALUE));
    }

    /** Readings per second the whole fleet offers: every device of every gateway once per reading-every. */
    double offeredReadingsPerSecond(int devicesPerGateway) {
        return (double) gateways.size() * devicesPerGateway / (readingEvery.toMillis() / 1000.0);
    }
}
