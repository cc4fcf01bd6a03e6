package org.communityguard.sim.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.communityguard.sim.SimConfig;
import org.communityguard.sim.Simulation;
import org.communityguard.sim.bench.faults.AlarmAudit;
import org.communityguard.sim.bench.faults.Alarms;
import org.communityguard.sim.bench.faults.ReadingAudit;
import org.communityguard.sim.bench.faults.Settle;
import org.communityguard.sim.ledger.LedgerSnapshot;
import org.communityguard.sim.site.SiteLoader;
import org.communityguard.testkit.Database;
import org.communityguard.testkit.DurablePostgres;
import org.communityguard.testkit.Mosquitto;

/**
 * The chain of a kill -9 fault test, every part killable: the hub a separate JVM
 * ({@link HubProcess}) on its own durable PostgreSQL ({@link DurablePostgres}, fsync on), the edge
 * agent a separate JVM ({@link AgentProcess}) on the shared Mosquitto, both on fixed ports so a
 * restarted one is found again, and the demo site's 42 devices reporting every 100 ms, with
 * alarms from {@link Alarms}. {@link #finish()} stops the devices, waits for the hub to have
 * everything, and counts ({@link ReadingAudit}, {@link AlarmAudit}).
 *
 * <p>Kill moments come from a seeded {@link Random}: {@code -Dfaults.seed=N} replays a run, and
 * every run prints its seed (a fresh one each run, so the suite tries new moments every time).
 */
final class FaultChain implements AutoCloseable {

    /** What {@link #finish()} counted, with the seed that replays the run. */
    record Result(long seed, LedgerSnapshot ledger, ReadingAudit.Tally readings, AlarmAudit.Tally alarms) {

        /**
         * The promises: nothing acknowledged lost, nothing stored twice, every alarm raised once;
         * and the run was a real one: load flowed around each of the {@code faults}, alarms were sent.
         */
        void assertNothingLostOrDuplicated(int faults) {
            String replay = " (replay: -Dfaults.seed=" + seed + ")";
            assertThat(ledger.acknowledgedCount()).as("readings acknowledged, load flowed" + replay)
                    .isGreaterThan(faults * 200L);
            assertThat(alarms.sent()).as("alarms sent during the run" + replay).isPositive();
            assertThat(readings.problems()).as("reading problems" + replay).isEmpty();
            assertThat(readings.lost()).as("acknowledged readings lost" + replay).isZero();
            assertThat(readings.duplicated()).as("readings stored more than once" + replay).isZero();
            assertThat(readings.unexpected()).as("readings stored that no device sent" + replay).isZero();
            assertThat(alarms.problems()).as("alarm problems" + replay).isEmpty();
            assertThat(alarms.lost()).as("alarms lost" + replay).isZero();
            assertThat(alarms.duplicated()).as("alarms raised more than once" + replay).isZero();
            assertThat(alarms.raised()).as("alarms raised" + replay).isEqualTo(alarms.sent());
        }
    }

    private static final Duration INTERVAL = Duration.ofMillis(100);
    private static final Duration SETTLE = Duration.ofSeconds(180);
    private static final Duration STORING_TIMEOUT = Duration.ofSeconds(90);

    final Database db;
    final HubProcess hub;
    final Simulation sim;
    final Alarms alarms;
    private final String name;
    private final long seed;
    private final Random random;
    private final Map<String, String> agentEnv;
    private final Path agentLog;
    private final URI agentMetrics;
    private AgentProcess agent;

    private FaultChain(String name, long seed, Database db, HubProcess hub, Map<String, String> agentEnv, Path agentLog,
                       AgentProcess agent, Simulation sim) {
        this.name = name;
        this.seed = seed;
        this.random = new Random(seed);
        this.db = db;
        this.hub = hub;
        this.agentEnv = agentEnv;
        this.agentLog = agentLog;
        this.agentMetrics = URI.create("http://127.0.0.1:" + agentEnv.get("EDGE_METRICS_PORT") + "/metrics");
        this.agent = agent;
        this.sim = sim;
        this.alarms = new Alarms(sim, seed);
    }

    /** Starts hub, agent and devices; logs go to device-sim's target/{name}-hub.log and -agent.log. */
    static FaultChain start(String name, DurablePostgres postgres, Mosquitto mosquitto, Path tmp) throws Exception {
        long seed = Long.getLong("faults.seed", System.nanoTime());
        System.out.println(name + ": seed " + seed + " (replay with -Dfaults.seed=" + seed + ")");
        Database db = postgres.createDatabase();
        Chain.clearBroker(mosquitto);
        Map<String, String> hubEnv = Chain.hubEnv(db, Ports.freeTcp());
        hubEnv.put("HUB_HTTP_PORT", Integer.toString(Ports.freeTcp()));
        HubProcess hub = new HubProcess(hubEnv, freshLog(name + "-hub.log")).start();
        int coapPort = Ports.freeUdp();
        Map<String, String> agentEnv = Chain.edgeEnv(mosquitto.tcpUrl(), "tcp://127.0.0.1:" + hub.uplinkPort(),
                tmp.resolve("buffer"));
        agentEnv.put("EDGE_COAP_PORT", Integer.toString(coapPort));
        agentEnv.put("EDGE_METRICS_PORT", Integer.toString(Ports.freeTcp()));
        Path agentLog = freshLog(name + "-agent.log");
        AgentProcess agent = null;
        Simulation sim = null;
        try {
            agent = new AgentProcess(agentEnv, agentLog).start();
            sim = new Simulation(SimConfig.of(SiteLoader.load(Chain.SITE), mosquitto.tcpUrl(),
                    URI.create("coap://127.0.0.1:" + coapPort)).withInterval(INTERVAL)
                    .withAckTimeout(Duration.ofSeconds(5)).withSeed(seed));
            sim.start();
            assertThat(sim.awaitConnected(Duration.ofSeconds(30))).as("every MQTT device connected").isTrue();
            return new FaultChain(name, seed, db, hub, agentEnv, agentLog, agent, sim);
        } catch (Exception | AssertionError e) {
            if (sim != null) {
                sim.close();
            }
            if (agent != null) {
                agent.close();
            }
            hub.close();
            throw e;
        }
    }

    /** One fault and the repair after it: a kill -9 and the restart. */
    interface Fault {
        void strikeAndRepair() throws Exception;
    }

    /**
     * The run of a kill test: {@code times} faults, each 0.2 to 2 s (from the seed) after the hub
     * commits again, the first and most of the others just after an alarm; then {@link #finish()}.
     */
    Result strike(int times, Fault fault) throws Exception {
        awaitStoring();
        for (int i = 1; i <= times; i++) {
            if (alarmBefore(i, random)) {
                alarms.raise();
            }
            pauseBetweenFaults();
            fault.strikeAndRepair();
            awaitStoring();
        }
        pauseBetweenFaults();
        return finish();
    }

    /**
     * Waits until the hub commits readings again (its stored counter moves), so that the next
     * fault strikes a chain that is working through its backlog, not one still starting.
     */
    private void awaitStoring() throws InterruptedException {
        long before = hub.readingsStored();
        long deadline = System.nanoTime() + STORING_TIMEOUT.toNanos();
        while (hub.readingsStored() <= before) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + ": the hub stored nothing for " + STORING_TIMEOUT.toSeconds()
                        + " s (seed " + seed + ")");
            }
            Thread.sleep(50);
        }
    }

    /** A random wait between two faults: 200 ms to 2 s, drawn from the seed. */
    void pauseBetweenFaults() throws InterruptedException {
        Thread.sleep(200 + random.nextInt(1800));
    }

    /**
     * Whether the next detector goes into alarm before fault {@code fault}: always before the first
     * (a run of a few faults drew none once in 4^faults seeds, and a run without an alarm proves
     * nothing about alarms), then three times in four, drawn from the seed.
     */
    static boolean alarmBefore(int fault, Random random) {
        return fault == 1 || random.nextInt(4) < 3;
    }

    void killAgent() throws InterruptedException {
        agent.kill9();
    }

    /** Starts the agent again on the same buffer file and ports. */
    void restartAgent() throws IOException, InterruptedException {
        agent = new AgentProcess(agentEnv, agentLog).start();
    }

    /** Stops the devices, waits until the hub has everything (or 3 minutes pass) and counts. */
    private Result finish() throws InterruptedException, SQLException {
        sim.close();
        LedgerSnapshot ledger = sim.ledger();
        boolean settled = Settle.await(db::connect, agentMetrics, ledger, alarms.sent(), SETTLE);
        try (Connection c = db.connect()) {
            Result result = new Result(seed, ledger, ReadingAudit.audit(c, ledger), AlarmAudit.audit(c, alarms.sent(), ledger));
            System.out.println(name + ": " + (settled ? "settled" : "NOT settled in " + SETTLE.toSeconds() + " s")
                    + "; readings " + result.readings() + "; alarms " + result.alarms() + "; seed " + seed);
            return result;
        }
    }

    @Override
    public void close() throws InterruptedException {
        sim.close();
        try {
            agent.close();
        } finally {
            hub.close();
        }
    }

    /** In device-sim's target/, kept after the run to read what happened around each kill. */
    private static Path freshLog(String file) throws IOException {
        Path log = Path.of("target", file);
        Files.deleteIfExists(log);
        return log;
    }
}
