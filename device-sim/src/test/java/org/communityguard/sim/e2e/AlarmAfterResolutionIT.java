package org.communityguard.sim.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.communityguard.sim.SimConfig;
import org.communityguard.sim.Simulation;
import org.communityguard.sim.device.SmokeDetector;
import org.communityguard.sim.site.Site;
import org.communityguard.sim.site.SiteLoader;
import org.communityguard.testkit.Mosquitto;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A fire is handled and resolved; later the same detector sees smoke again. Through the whole
 * chain (device-sim over CoAP -> edge agent -> uplink -> hub) the second alarm must be a new
 * FIRE incident, dispatched, with its own deadlines and a notification, while the resolved one
 * waits for its rating.
 */
@ExtendWith(RealServers.class)
class AlarmAfterResolutionIT {

    private static final String DETECTOR = "smoke-b3-03";
    private static final Duration SEEN = Duration.ofSeconds(30);

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aDetectorThatAlarmsAgainAfterItsFireWasResolvedRaisesANewFire(TimescaleDb timescale, Mosquitto mosquitto)
            throws Exception {
        List<JsonNode> webhook = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            webhook.add(json.readTree(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        Site site = SiteLoader.load(Chain.SITE);
        try (Chain chain = new Chain(timescale.createDatabase(), mosquitto, Map.of(
                "HUB_LOOP_POLL_INTERVAL", "200ms",
                "HUB_NOTIFY_WEBHOOK_URL", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook",
                "HUB_NOTIFY_WEBHOOK_SECRET", "e2e-webhook-secret"));
             Simulation sim = new Simulation(SimConfig.of(site, mosquitto.tcpUrl(), chain.coapBase())
                     .withInterval(Duration.ZERO)
                     .withDevices(Set.of(DETECTOR)))) {
            sim.start();
            sim.sendTelemetryRound();

            long first = fireAt(chain, sim, -1);
            String firstPath = "/api/incidents/" + first;
            chain.api("POST", firstPath + "/acknowledge", "{}");
            chain.api("POST", firstPath + "/resolve", "{\"action_taken\": \"fire in a bin put out; detector cleaned\"}");
            // The smoke clears: the detector says so, on the incident waiting for its rating.
            sim.reset(DETECTOR).get();
            await().atMost(SEEN).until(() -> actions(chain.api(firstPath)).contains("sensor_normal"));

            // Hours later the detector sees smoke again.
            long second = fireAt(chain, sim, first);
            JsonNode next = chain.api("/api/incidents/" + second);
            assertThat(next.path("type").asText()).isEqualTo("FIRE");
            assertThat(next.path("department").asText()).isEqualTo("fire");
            assertThat(next.path("grid").asText()).isEqualTo("G2");
            assertThat(actions(next)).startsWith("opened", "dispatched");
            assertThat(next.path("deadlines")).hasSize(3)
                    .allSatisfy(d -> assertThat(d.path("met_at").isNull()).as("its own deadlines").isTrue());
            await().atMost(SEEN).until(() -> webhook.stream().anyMatch(w -> w.path("event").asText().equals("dispatched")
                    && w.path("incident").path("id").asLong() == second));

            JsonNode resolved = chain.api(firstPath);
            assertThat(resolved.path("status").asText()).as("still waiting for its rating").isEqualTo("resolved");
            assertThat(actions(resolved)).endsWith("alarmed_again");
            chain.api("POST", firstPath + "/close", "{\"rating\": 4}");
        } finally {
            receiver.stop(0);
        }
    }

    /** Starts a fire at the detector and waits until its (new) FIRE incident is dispatched; returns its id. */
    private long fireAt(Chain chain, Simulation sim, long not) throws Exception {
        sim.device(DETECTOR, SmokeDetector.class).ignite();
        long[] id = {-1};
        await().atMost(SEEN).until(() -> {
            sim.sendTelemetryRound();
            for (JsonNode i : chain.api("/api/incidents?status=dispatched").path("incidents")) {
                if (i.path("device_id").asText().equals(DETECTOR) && i.path("type").asText().equals("FIRE")
                        && i.path("id").asLong() != not) {
                    id[0] = i.path("id").asLong();
                    return true;
                }
            }
            return false;
        });
        return id[0];
    }

    private static List<String> actions(JsonNode incident) {
        List<String> out = new ArrayList<>();
        incident.path("timeline").forEach(e -> out.add(e.path("action").asText()));
        return out;
    }
}
