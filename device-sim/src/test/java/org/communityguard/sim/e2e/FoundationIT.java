package org.communityguard.sim.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import org.communityguard.sim.SimConfig;
import org.communityguard.sim.Simulation;
import org.communityguard.sim.ledger.LedgerSnapshot;
import org.communityguard.sim.site.Site;
import org.communityguard.sim.site.SiteLoader;
import org.communityguard.testkit.Mosquitto;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The foundation, end to end: the demo community's 42 devices over MQTT and CoAP, through an
 * edge agent, into the hub and TimescaleDB. Every reading a device got acknowledged is stored
 * exactly once, and a fire staged in building B1 becomes a FIRE incident there.
 */
@ExtendWith(RealServers.class)
class FoundationIT {

    @Test
    void devicesToIncident(TimescaleDb timescale, Mosquitto mosquitto) throws Exception {
        Site site = SiteLoader.load(Chain.SITE);
        try (Chain chain = new Chain(timescale.createDatabase(), mosquitto);
             Simulation sim = new Simulation(SimConfig.of(site, mosquitto.tcpUrl(), chain.coapBase())
                     .withInterval(Duration.ZERO))) {
            sim.start();
            assertThat(sim.awaitConnected(Duration.ofSeconds(30))).as("MQTT devices connected").isTrue();

            for (int round = 0; round < 3; round++) {
                sim.sendTelemetryRound();
            }
            sim.access("door-b2-01", "CARD-0012345678", true).get();
            sim.stageFire("B1").get();
            assertThat(sim.awaitSettled(Duration.ofSeconds(60))).isTrue();
            LedgerSnapshot ledger = sim.ledger();
            assertThat(ledger.rejectedCount()).as("the gateway refused nothing the simulator sent").isZero();
            assertThat(ledger.acknowledgedCount()).isGreaterThan(3 * 42);

            // Everything acknowledged reaches the hub; the edge buffer drains.
            await().atMost(Duration.ofSeconds(60)).until(() -> chain.edge.buffer().pendingReadings() == 0
                    && storedCount(chain) >= ledger.acknowledgedCount());

            Map<String, Map<Long, Integer>> stored = chain.storedSeqs();
            List<String> problems = new ArrayList<>();
            ledger.acknowledged().forEach((device, seqs) -> {
                for (long seq : seqs) {
                    int times = stored.getOrDefault(device, Map.of()).getOrDefault(seq, 0);
                    if (times != 1) {
                        problems.add(device + " seq " + seq + " stored " + times + " times");
                    }
                }
            });
            stored.forEach((device, seqs) -> seqs.forEach((seq, times) -> {
                SortedSet<Long> sent = ledger.sent().get(device);
                if (sent == null || !sent.contains(seq)) {
                    problems.add(device + " seq " + seq + " stored but never sent");
                }
                if (times != 1) {
                    problems.add(device + " seq " + seq + " stored " + times + " times");
                }
            }));
            assertThat(problems).as("every acknowledged (device, seq) stored exactly once").isEmpty();

            // Both transports carried readings.
            assertThat(chain.count("SELECT count(DISTINCT device_type) FROM readings WHERE device_type IN"
                    + " ('lamp_post', 'door_access')")).as("over MQTT").isEqualTo(2);
            assertThat(chain.count("SELECT count(DISTINCT device_type) FROM readings WHERE device_type IN"
                    + " ('smoke_detector', 'manhole')")).as("over CoAP").isEqualTo(2);
            assertThat(chain.edge.scrapeMetrics())
                    .containsPattern("edge_readings_received_total\\{protocol=\"mqtt\"\\} [1-9]")
                    .containsPattern("edge_readings_received_total\\{protocol=\"coap\"\\} [1-9]");

            // The card number never left the gateway; its pseudonym did.
            assertThat(chain.count("SELECT count(*) FROM readings WHERE data::text LIKE '%0012345678%'")).isZero();
            assertThat(chain.count("SELECT count(*) FROM readings WHERE device_id = 'door-b2-01'"
                    + " AND data->>'event' = 'access' AND data->>'subject' LIKE 'psn1:%'")).isGreaterThanOrEqualTo(1);

            // The fire: a FIRE incident per alarming detector of B1 (never two for one detector),
            // naming device, building and time, visible through the API; two or more detectors
            // make it one confirmed fire (DetectionScenariosIT looks closer).
            await().atMost(Duration.ofSeconds(30)).until(() -> fires(chain).size() >= 2);
            List<JsonNode> fires = fires(chain);
            assertThat(fires).extracting(f -> f.path("device_id").asText()).doesNotHaveDuplicates()
                    .allMatch(d -> d.startsWith("smoke-b1-"));
            for (JsonNode fire : fires) {
                assertThat(fire.path("building_id").asText()).isEqualTo("B1");
                assertThat(fire.path("severity").asText()).isEqualTo("critical");
                assertThat(fire.path("summary").asText()).contains("Building 1");
                assertThat(fire.path("occurred_at").asText()).isNotBlank();
            }
            assertThat(fires).extracting(f -> f.path("group_id").asLong()).containsOnly(fires.get(0).path("group_id").asLong());
            // Nothing else happened anywhere. (A device silent for three reporting intervals would
            // rightly be reported offline; on a very slow run that can happen, and is no failure.)
            assertThat(chain.count("SELECT count(*) FROM incidents WHERE building_id <> 'B1' AND type <> 'DEVICE_OFFLINE'"))
                    .isZero();
        }
    }

    private static long storedCount(Chain chain) throws Exception {
        return chain.count("SELECT count(*) FROM readings WHERE seq IS NOT NULL");
    }

    private static List<JsonNode> fires(Chain chain) throws Exception {
        List<JsonNode> fires = new ArrayList<>();
        for (JsonNode i : chain.api("/api/incidents?open=true").path("incidents")) {
            if (i.path("type").asText().equals("FIRE")) {
                fires.add(i);
            }
        }
        return fires;
    }
}
