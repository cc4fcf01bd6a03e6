package org.communityguard.sim.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.communityguard.hub.Hub;
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
 * Durable by default: the edge agent, a separate process, is killed with SIGKILL twice while the
 * demo community's 42 devices report ten times a second each, and restarted on the same buffer
 * file. Every (device, seq) a device got acknowledged (by Mosquitto for MQTT devices, by the agent
 * with 2.04 for CoAP devices) is stored at the hub exactly once.
 */
@ExtendWith(RealServers.class)
class CrashIT {


    @Test
    void killNineMidLoadLosesAndDuplicatesNothingAcknowledged(TimescaleDb timescale, Mosquitto mosquitto, @TempDir Path tmp)
            throws Exception {
        int coapPort = Ports.freeUdp();
        try (Hub hub = Chain.startHub(Chain.hubEnv(timescale.createDatabase(), 0))) {
            Map<String, String> env = Chain.edgeEnv(mosquitto.tcpUrl(), "tcp://127.0.0.1:" + hub.uplinkPort(), tmp.resolve("buffer"));
            env.put("EDGE_COAP_PORT", Integer.toString(coapPort));
            env.put("EDGE_METRICS_PORT", Integer.toString(Ports.freeTcp()));
            // Kept after the run (target/ of device-sim) to read what the agent did around each crash.
            Path log = Path.of("target", "crash-it-agent.log");
            java.nio.file.Files.deleteIfExists(log);
            AgentProcess agent = new AgentProcess(env, log).start();
            try (Simulation sim = new Simulation(SimConfig.of(SiteLoader.load(Chain.SITE), mosquitto.tcpUrl(),
                    URI.create("coap://127.0.0.1:" + coapPort)).withInterval(Duration.ofMillis(100))
                    .withAckTimeout(Duration.ofSeconds(5)))) {
                sim.start();
                assertThat(sim.awaitConnected(Duration.ofSeconds(30))).isTrue();
                for (int crash = 0; crash < 2; crash++) {
                    Thread.sleep(3000);
                    long acknowledgedBefore = sim.counts().acknowledged();
                    assertThat(acknowledgedBefore).as("load is flowing before crash %d", crash).isPositive();
                    agent.kill9();
                    // Devices keep reporting while the agent is down: the broker queues MQTT readings.
                    Thread.sleep(1500);
                    agent = new AgentProcess(env, log).start();
                }
                Thread.sleep(3000);
                sim.close();
                LedgerSnapshot ledger = sim.ledger();
                assertThat(ledger.acknowledgedCount()).isGreaterThan(2000);

                AgentProcess running = agent;
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() ->
                        running.pendingReadings() == 0 && Chain.count(hub, "SELECT count(*) FROM readings WHERE seq IS NOT NULL")
                                >= ledger.acknowledgedCount());
                List<String> problems = Chain.storedOnceProblems(ledger.acknowledged(), ledger.sent(), Chain.storedSeqs(hub));
                assertThat(problems).as("every acknowledged (device, seq) stored exactly once").isEmpty();
            } finally {
                agent.close();
            }
        }
    }
}
