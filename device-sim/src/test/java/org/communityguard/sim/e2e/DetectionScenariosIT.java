package org.communityguard.sim.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.communityguard.sim.SimConfig;
import org.communityguard.sim.Simulation;
import org.communityguard.sim.site.Site;
import org.communityguard.sim.site.SiteLoader;
import org.communityguard.testkit.Mosquitto;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Detection through the whole chain, device-sim -> edge agent -> hub -> TimescaleDB, one night in
 * the demo community. Each scenario is checked as a property manager sees it: the incident in
 * {@code GET /api/incidents}, with its type, severity, building, device and evidence.
 * (Dispatch and escalation of these incidents are the closed loop's tests.)
 */
@ExtendWith(RealServers.class)
class DetectionScenariosIT {

    private static final Duration SEEN = Duration.ofSeconds(30);

    @Test
    void oneNightInTheCommunity(TimescaleDb timescale, Mosquitto mosquitto) throws Exception {
        // The broker serves every test of this JVM: a simulation that ran before left its devices'
        // retained "offline" status behind, which a new gateway would rightly report. The broker
        // keeps nothing across a restart.
        mosquitto.stop();
        mosquitto.start();
        Site site = SiteLoader.load(Chain.SITE);
        try (Chain chain = new Chain(timescale.createDatabase(), mosquitto, Map.of("HUB_INCIDENT_LIVENESS_INTERVAL", "1s"));
             Simulation sim = new Simulation(SimConfig.of(site, mosquitto.tcpUrl(), chain.coapBase())
                     .withInterval(Duration.ZERO)
                     .withTimeOfDay(LocalTime.of(23, 30))
                     .withScenarioStep(Duration.ofSeconds(1)))) {
            // Nobody acknowledges anything tonight: with SLAs this short, every incident is
            // overdue within seconds and must escalate to the property managers.
            for (String severity : List.of("critical", "major")) {
                chain.api("PUT", "/api/slas/" + severity, "{\"acknowledge_s\": 3, \"on_site_s\": 600, \"resolve_s\": 3600}");
            }
            sim.start();
            assertThat(sim.awaitConnected(Duration.ofSeconds(30))).as("MQTT devices connected").isTrue();
            sim.sendTelemetryRound();
            sim.sendTelemetryRound();

            fireInABuildingIsConfirmedByASecondDetector(chain, sim);
            aTestButtonPressIsNoFire(chain, sim);
            aManholeCoverDisplacedAtNight(chain, sim);
            waterRisingTowardACover(chain, sim);
            aForcedDoor(chain, sim);
            bruteForceAtAGate(chain, sim);
            lampLeakageInRain(chain, sim);
            everyIncidentIsDispatchedAndEscalatesWhenNobodyAcknowledges(chain);
            aGatewayCutOff(chain, sim);
        }
    }

    private static void fireInABuildingIsConfirmedByASecondDetector(Chain chain, Simulation sim) throws Exception {
        sim.stageFire("B1").get();
        await().atMost(SEEN).until(() -> incidents(chain, "FIRE").stream()
                .filter(f -> f.path("details").path("confirmed").asBoolean()).count() >= 2);
        List<JsonNode> fires = incidents(chain, "FIRE");
        assertThat(fires).extracting(f -> f.path("device_id").asText()).doesNotHaveDuplicates()
                .allMatch(d -> d.startsWith("smoke-b1-"));
        for (JsonNode fire : fires) {
            assertThat(fire.path("severity").asText()).isEqualTo("critical");
            assertThat(fire.path("building_id").asText()).isEqualTo("B1");
            assertThat(fire.path("building_name").asText()).isEqualTo("Building 1");
            assertThat(fire.path("location").asText()).endsWith("stairwell");
            assertThat(fire.path("summary").asText()).startsWith("Confirmed fire: ").contains("in Building 1");
            assertThat(fire.path("group_id").asLong()).isEqualTo(fires.get(0).path("group_id").asLong());
            assertThat(fire.path("details").path("reading").isObject()).as("the evidence").isTrue();
            assertThat(fire.path("status").asText()).as("in the loop").isNotIn("closed", "cancelled");
        }
    }

    private static void aTestButtonPressIsNoFire(Chain chain, Simulation sim) throws Exception {
        sim.pressTestButton("smoke-b2-01").get();
        await().atMost(SEEN).until(() -> chain.count(
                "SELECT count(*) FROM readings WHERE device_id = 'smoke-b2-01' AND data->>'event' = 'test'") == 1);
        assertThat(incidents(chain, "FIRE")).noneMatch(f -> f.path("device_id").asText().equals("smoke-b2-01"));
    }

    private static void aManholeCoverDisplacedAtNight(Chain chain, Simulation sim) throws Exception {
        sim.displaceCover("manhole-b2-01").get();
        JsonNode cover = awaitOne(chain, "COVER_DISPLACED", "manhole-b2-01");
        assertThat(cover.path("severity").asText()).isEqualTo("critical");
        assertThat(cover.path("building_id").asText()).isEqualTo("B2");
        assertThat(cover.path("summary").asText()).contains("cover opened").contains("road manhole 1");
        assertThat(cover.path("details").path("reading").path("event").asText()).isEqualTo("cover_opened");
    }

    private static void waterRisingTowardACover(Chain chain, Simulation sim) throws Exception {
        sim.raiseWater("manhole-b3-01").get();
        JsonNode flood = awaitOne(chain, "FLOOD_RISK", "manhole-b3-01");
        assertThat(flood.path("severity").asText()).isEqualTo("major");
        assertThat(flood.path("building_id").asText()).isEqualTo("B3");
        assertThat(flood.path("details").path("rise_cm_per_min").asDouble()).isGreaterThan(1);
        assertThat(flood.path("details").path("predicted_overflow_min").asDouble()).isLessThan(30);
        assertThat(flood.path("details").path("predicted_overflow_at").asText()).isNotBlank();
        assertThat(flood.path("summary").asText()).contains("water rising").contains("at the cover in about");
        sim.sendTelemetryRound();
    }

    private static void aForcedDoor(Chain chain, Simulation sim) throws Exception {
        sim.forceDoor("door-b3-01").get();
        JsonNode forced = awaitOne(chain, "DOOR_FORCED", "door-b3-01");
        assertThat(forced.path("severity").asText()).isEqualTo("major");
        assertThat(forced.path("building_id").asText()).isEqualTo("B3");
        assertThat(forced.path("summary").asText()).contains("opened without a grant").contains("main entrance");
        sim.reset("door-b3-01").get();
        await().atMost(SEEN).until(() -> chain.count("SELECT count(*) FROM incident_timeline WHERE action = 'sensor_normal'"
                + " AND details->>'message' = 'door closed' AND incident_id = " + forced.path("id").asLong()) == 1);
    }

    private static void bruteForceAtAGate(Chain chain, Simulation sim) throws Exception {
        sim.bruteForce("door-b2-02", 8).get();
        JsonNode brute = awaitOne(chain, "BRUTE_FORCE", "door-b2-02");
        assertThat(brute.path("severity").asText()).isEqualTo("major");
        assertThat(brute.path("building_id").asText()).isEqualTo("B2");
        assertThat(brute.path("summary").asText()).contains("denied attempts within 60 s").contains("garage door");
        assertThat(brute.path("details").path("denied_attempts").asInt()).isGreaterThanOrEqualTo(5);
        assertThat(brute.path("details").path("distinct_subjects").asInt()).isGreaterThanOrEqualTo(5);
        assertThat(brute.path("details").toString()).as("no credential, not even its pseudonym")
                .doesNotContain("CARD-").doesNotContain("psn1:");
    }

    private static void lampLeakageInRain(Chain chain, Simulation sim) throws Exception {
        sim.leakInRain("lamp-b2-03").get();
        JsonNode leak = awaitOne(chain, "ELECTRIC_LEAKAGE", "lamp-b2-03");
        assertThat(leak.path("severity").asText()).isEqualTo("critical");
        assertThat(leak.path("building_id").asText()).isEqualTo("B2");
        assertThat(leak.path("details").path("leakage_ma").asDouble()).isGreaterThanOrEqualTo(30);
        assertThat(leak.path("summary").asText()).contains("earth leakage").contains("path lamp 3");
    }

    private static void aGatewayCutOff(Chain chain, Simulation sim) throws Exception {
        chain.api("PUT", "/api/communities/sunny-garden/thresholds",
                "{\"thresholds\": [{\"scope\": \"gateway\", \"key\": \"offline_after_s\", \"value\": 10}]}");
        sim.sendTelemetryRound();
        await().atMost(SEEN).until(() -> chain.edge.buffer().pendingReadings() == 0);
        chain.edge.close();

        await().atMost(Duration.ofSeconds(60)).until(() -> !incidents(chain, "GATEWAY_OFFLINE").isEmpty());
        JsonNode offline = incidents(chain, "GATEWAY_OFFLINE").get(0);
        assertThat(offline.path("device_id").asText()).isEqualTo(Chain.GATEWAY);
        assertThat(offline.path("severity").asText()).isEqualTo("major");
        assertThat(offline.path("community_id").asText()).isEqualTo("sunny-garden");
        assertThat(offline.path("summary").asText()).contains("its 42 devices are not monitored")
                .contains("Gateway in the management office");
        assertThat(incidents(chain, "DEVICE_OFFLINE")).as("one gateway incident, not one per device").isEmpty();
    }

    /** What a property manager sees next: who it went to (routing table), and that silence escalates. */
    private static void everyIncidentIsDispatchedAndEscalatesWhenNobodyAcknowledges(Chain chain) throws Exception {
        Map<String, String> department = Map.of("FIRE", "fire", "COVER_DISPLACED", "municipal", "FLOOD_RISK", "municipal",
                "DOOR_FORCED", "security", "BRUTE_FORCE", "security", "ELECTRIC_LEAKAGE", "electrical");
        Map<String, String> grid = Map.of("B1", "G1", "B2", "G1", "B3", "G2");
        List<JsonNode> raised = new ArrayList<>();
        for (String type : department.keySet()) {
            raised.addAll(incidents(chain, type));
        }
        assertThat(raised).hasSizeGreaterThanOrEqualTo(department.size() + 1);
        for (JsonNode summary : raised) {
            String path = "/api/incidents/" + summary.path("id").asLong();
            await().atMost(SEEN).until(() -> actions(chain.api(path)).contains("escalated"));
            JsonNode incident = chain.api(path);
            String what = incident.path("type").asText() + " at " + incident.path("device_id").asText();
            assertThat(incident.path("department").asText()).as(what).isEqualTo(department.get(incident.path("type").asText()));
            assertThat(incident.path("grid").asText()).as(what).isEqualTo(grid.get(incident.path("building_id").asText()));
            assertThat(actions(incident)).as(what).containsSubsequence("opened", "dispatched", "escalated")
                    .doesNotContain("acknowledged");
            JsonNode escalation = incident.path("timeline").findParents("action").stream()
                    .filter(e -> e.path("action").asText().equals("escalated")).findFirst().orElseThrow();
            assertThat(escalation.path("details").path("to").asText()).as(what).isEqualTo("property_manager");
        }
    }

    private static List<String> actions(JsonNode incident) {
        List<String> actions = new ArrayList<>();
        incident.path("timeline").forEach(e -> actions.add(e.path("action").asText()));
        return actions;
    }

    private static JsonNode awaitOne(Chain chain, String type, String deviceId) throws Exception {
        await().atMost(SEEN).until(() -> incidents(chain, type).stream()
                .anyMatch(i -> i.path("device_id").asText().equals(deviceId)));
        List<JsonNode> found = incidents(chain, type).stream()
                .filter(i -> i.path("device_id").asText().equals(deviceId)).toList();
        assertThat(found).as(type + " at " + deviceId).hasSize(1);
        return found.get(0);
    }

    private static List<JsonNode> incidents(Chain chain, String type) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode i : chain.api("/api/incidents?limit=1000").path("incidents")) {
            if (i.path("type").asText().equals(type)) {
                out.add(i);
            }
        }
        return out;
    }
}
