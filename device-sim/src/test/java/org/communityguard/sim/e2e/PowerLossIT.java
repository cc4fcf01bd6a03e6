package org.communityguard.sim.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.communityguard.hub.Hub;
import org.communityguard.sim.SimConfig;
import org.communityguard.sim.Simulation;
import org.communityguard.sim.ledger.LedgerSnapshot;
import org.communityguard.sim.site.SiteLoader;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A power cut on the gateway, with the Mosquitto configuration we ship: broker and agent are
 * SIGKILLed together at a random moment while the demo community's 42 devices report ten times a
 * second; later the agent crashes alone and, while it is down and the broker queues for it, the
 * power goes. Both come back on their files each time.
 *
 * <p>The guarantee (README, docs/edge-storage.md "Power loss"): a reading the agent has stored is
 * never lost nor stored twice; a reading only Mosquitto has acknowledged is on disk once its next
 * save has run, every {@code autosave_interval} seconds. So every reading acknowledged longer ago
 * than that before the cut is at the hub exactly once; the ones acknowledged in that last window
 * may be lost, and their number is reported.
 */
@ExtendWith(RealServers.class)
class PowerLossIT {

    @Test
    void whatDevicesHadAcknowledgedLongerAgoThanTheLastSaveSurvivesAPowerCut(TimescaleDb timescale, @TempDir Path tmp)
            throws Exception {
        Random random = new Random();
        try (GatewayBroker broker = GatewayBroker.start(tmp.resolve("mosquitto"));
             Hub hub = Chain.startHub(Chain.hubEnv(timescale.createDatabase(), 0))) {
            // A save is due every autosave_interval s, checked on whole seconds: one more second of slack.
            Duration saved = Duration.ofSeconds(broker.shippedInt("autosave_interval") + 2);
            int coapPort = Ports.freeUdp();
            Map<String, String> env = Chain.edgeEnv(broker.url(), "tcp://127.0.0.1:" + hub.uplinkPort(), tmp.resolve("buffer"));
            env.put("EDGE_COAP_PORT", Integer.toString(coapPort));
            env.put("EDGE_METRICS_PORT", Integer.toString(Ports.freeTcp()));
            Path log = Path.of("target", "power-loss-it-agent.log");
            Files.deleteIfExists(log);
            AgentProcess agent = new AgentProcess(env, log).start();
            try (Simulation sim = new Simulation(SimConfig.of(SiteLoader.load(Chain.SITE), broker.url(),
                    URI.create("coap://127.0.0.1:" + coapPort)).withInterval(Duration.ofMillis(100))
                    .withAckTimeout(Duration.ofSeconds(5)))) {
                sim.start();
                assertThat(sim.awaitConnected(Duration.ofSeconds(30))).isTrue();

                // 1. The power goes while everything runs.
                Thread.sleep(2000 + random.nextInt(2000));
                LedgerSnapshot beforeFirstWindow = sim.ledger();
                Thread.sleep(saved.toMillis());
                broker.kill9();
                agent.kill9();
                LedgerSnapshot atFirstCut = sim.ledger();
                Thread.sleep(1500);
                broker.launch();
                agent = new AgentProcess(env, log).start();
                Thread.sleep(3000);

                // 2. The agent crashes; the broker acknowledges devices and queues for it; then the power goes.
                agent.kill9();
                Thread.sleep(3000 + random.nextInt(2000));
                LedgerSnapshot queuedWhileAgentDown = sim.ledger();
                Thread.sleep(saved.toMillis());
                broker.kill9();
                LedgerSnapshot atSecondCut = sim.ledger();
                Thread.sleep(1500);
                broker.launch();
                agent = new AgentProcess(env, log).start();
                Thread.sleep(3000);
                sim.close();

                LedgerSnapshot ledger = sim.ledger();
                AgentProcess running = agent;
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() ->
                        running.metrics().contains("edge_buffer_pending_readings 0.0"));
                // Let anything the restarted broker still redelivers settle, then count.
                Thread.sleep(2000);
                Map<String, Map<Long, Integer>> stored = Chain.storedSeqs(hub);

                List<String> problems = Chain.storedOnceProblems(beforeFirstWindow.acknowledged(), ledger.sent(), stored);
                problems.addAll(Chain.storedOnceProblems(queuedWhileAgentDown.acknowledged(), ledger.sent(), stored));
                assertThat(problems).as("acknowledged before the last save: stored exactly once, nothing twice").isEmpty();
                Map<String, SortedSet<Long>> lostFirst = lost(beforeFirstWindow, atFirstCut, stored);
                Map<String, SortedSet<Long>> lostSecond = lost(queuedWhileAgentDown, atSecondCut, stored);
                Map<String, SortedSet<Long>> lostLater = lost(atSecondCut, ledger, stored);
                System.out.printf("PowerLossIT: %d readings acknowledged, %d lost in the last %d s before the first cut,"
                        + " %d in the last %d s before the second (agent down), %d after%n", ledger.acknowledgedCount(),
                        count(lostFirst), saved.toSeconds(), count(lostSecond), saved.toSeconds(), count(lostLater));
                assertThat(lostLater).as("acknowledged after the last cut").isEmpty();
                // CoAP devices are acknowledged by the agent itself, after its fsync: none lost.
                Set<String> coap = new TreeSet<>();
                SiteLoader.load(Chain.SITE).devices().stream()
                        .filter(d -> d.type().transport() == org.communityguard.sim.site.DeviceType.Transport.COAP)
                        .forEach(d -> coap.add(d.id()));
                assertThat(lostFirst.keySet()).doesNotContainAnyElementsOf(coap);
                assertThat(lostSecond.keySet()).doesNotContainAnyElementsOf(coap);
            } finally {
                agent.close();
            }
        }
    }

    /** Acknowledged between two snapshots and not stored at the hub. */
    private static Map<String, SortedSet<Long>> lost(LedgerSnapshot from, LedgerSnapshot to, Map<String, Map<Long, Integer>> stored) {
        Map<String, SortedSet<Long>> lost = new TreeMap<>();
        to.acknowledged().forEach((device, seqs) -> {
            for (long seq : seqs) {
                if (!from.acknowledged(device).contains(seq) && !stored.getOrDefault(device, Map.of()).containsKey(seq)) {
                    lost.computeIfAbsent(device, k -> new TreeSet<>()).add(seq);
                }
            }
        });
        return lost;
    }

    private static long count(Map<String, SortedSet<Long>> seqs) {
        return seqs.values().stream().mapToLong(Set::size).sum();
    }
}
