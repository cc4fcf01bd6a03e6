package org.communityguard.sim.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.communityguard.hub.Hub;
import org.communityguard.sim.ReceivedCommand;
import org.communityguard.sim.SimConfig;
import org.communityguard.sim.Simulation;
import org.communityguard.sim.ledger.LedgerSnapshot;
import org.communityguard.sim.site.SiteLoader;
import org.communityguard.testkit.Mosquitto;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole-site power cut: the gateway's agent dies with SIGKILL and every device with it; all
 * come back, the devices counting their seqs from 0 again with their clocks running on (a new
 * {@link Simulation}: fresh counters, the same seed, so even the same sensor values at the same
 * seqs), the agent on the same buffer file, which hands its last readings to duplicate detection.
 *
 * <p>What must hold: every reading a device got acknowledged after the cut is stored at the hub
 * exactly once, although the agent has seen each of its seqs before the cut; and a fire right
 * after the cut, whose alarm reuses a seq from before it, releases the building's doors and opens
 * a FIRE incident.
 */
@ExtendWith(RealServers.class)
class PowerCutIT {

    /** Seqs every device has used before the cut: far more than it uses after it until the fire's alarms. */
    private static final int SEQS_BEFORE_THE_CUT = 150;

    @Test
    void everyReadingAfterTheCutIsStoredOnceAndAFireStillOpensTheDoors(TimescaleDb timescale, Mosquitto mosquitto,
                                                                       @TempDir Path tmp) throws Exception {
        int coapPort = Ports.freeUdp();
        try (Hub hub = Chain.startHub(Chain.hubEnv(timescale.createDatabase(), 0))) {
            Map<String, String> env = Chain.edgeEnv(mosquitto.tcpUrl(), "tcp://127.0.0.1:" + hub.uplinkPort(), tmp.resolve("buffer"));
            env.put("EDGE_COAP_PORT", Integer.toString(coapPort));
            env.put("EDGE_METRICS_PORT", Integer.toString(Ports.freeTcp()));
            // Kept after the run (target/ of device-sim) to read what the agent did around the cut.
            Path log = Path.of("target", "power-cut-it-agent.log");
            Files.deleteIfExists(log);
            SimConfig site = SimConfig.of(SiteLoader.load(Chain.SITE), mosquitto.tcpUrl(), URI.create("coap://127.0.0.1:" + coapPort))
                    .withInterval(Duration.ofMillis(100)).withAckTimeout(Duration.ofSeconds(5))
                    .withScenarioStep(Duration.ofMillis(300));
            AgentProcess agent = new AgentProcess(env, log).start();
            try {
                Simulation before = new Simulation(site);
                try {
                    before.start();
                    assertThat(before.awaitConnected(Duration.ofSeconds(30))).isTrue();
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                            before.ledger().acknowledged().values().stream().mapToInt(Set::size).min().orElse(0) >= SEQS_BEFORE_THE_CUT);
                    agent.kill9();
                } finally {
                    // ... and the devices go down with it.
                    before.close();
                }
                LedgerSnapshot beforeTheCut = before.ledger();
                Instant cut = Instant.now();

                // The gateway is back (on the same buffer; the broker redelivers what the dead agent
                // had not acknowledged), and so are the devices.
                agent = new AgentProcess(env, log).start();
                try (Simulation after = new Simulation(site)) {
                    after.start();
                    assertThat(after.awaitConnected(Duration.ofSeconds(30))).isTrue();
                    after.stageFire("B1").get();

                    await().atMost(Duration.ofSeconds(10)).until(() -> after.commandsReceived().stream()
                            .filter(c -> c.deviceId().startsWith("door-b1-")).map(ReceivedCommand::deviceId).distinct().count() == 2);
                    for (ReceivedCommand c : after.commandsReceived()) {
                        if (c.deviceId().startsWith("door-b1-")) {
                            assertThat(c.command().text("action")).contains("release");
                        }
                    }
                    await().atMost(Duration.ofSeconds(30)).until(() -> Chain.count(hub,
                            "SELECT count(*) FROM incidents WHERE type = 'FIRE' AND building_id = 'B1'") > 0);
                    after.close();

                    LedgerSnapshot ledger = after.ledger();
                    Set<Long> fireEvents = ledger.events().get("smoke-b1-01");
                    assertThat(fireEvents).as("the first detector's pre-alarm and alarm").hasSize(2);
                    assertThat(beforeTheCut.acknowledged("smoke-b1-01")).as("their seqs were used before the cut")
                            .containsAll(fireEvents);
                    assertThat(ledger.acknowledgedCount()).isGreaterThan(1000);
                    AgentProcess running = agent;
                    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() ->
                            running.pendingReadings() == 0 && Chain.count(hub, "SELECT count(*) FROM readings"
                                    + " WHERE seq IS NOT NULL AND device_ts >= '" + cut + "'") >= ledger.acknowledgedCount());
                    List<String> problems = Chain.storedOnceProblems(ledger.acknowledged(), ledger.sent(), Chain.storedSeqsSince(hub, cut));
                    assertThat(problems).as("every (device, seq) acknowledged after the cut stored exactly once").isEmpty();
                }
            } finally {
                agent.close();
            }
        }
    }
}
