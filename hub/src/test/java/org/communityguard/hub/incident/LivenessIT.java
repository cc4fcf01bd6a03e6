package org.communityguard.hub.incident;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.communityguard.hub.incident.Uplink.reading;
import static org.communityguard.hub.incident.Uplink.telemetry;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.communityguard.hub.ApiClient;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** DEVICE_OFFLINE and GATEWAY_OFFLINE from silence; one hub per test, checking every second. */
@ExtendWith(RealServers.class)
class LivenessIT {

    private static Hub hub(TimescaleDb timescale) throws Exception {
        return HubFixture.start(timescale.createDatabase(), Map.of("HUB_INCIDENT_LIVENESS_INTERVAL", "1s"));
    }

    private static void gatewayOfflineAfter10s(ApiClient api) throws Exception {
        assertThat(api.send("PUT", "/api/communities/sunny-garden/thresholds",
                "{\"thresholds\": [{\"scope\": \"gateway\", \"key\": \"offline_after_s\", \"value\": 10}]}").statusCode())
                .isEqualTo(200);
    }

    private static List<JsonNode> incidents(ApiClient api, String type) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode i : api.get("/api/incidents?limit=1000").path("incidents")) {
            if (i.path("type").asText().equals(type)) {
                out.add(i);
            }
        }
        return out;
    }

    @Test
    void aGatewayCutOffIsOneIncidentNotOnePerDevice(TimescaleDb timescale) throws Exception {
        try (Hub hub = hub(timescale)) {
            ApiClient api = ApiClient.admin(hub);
            gatewayOfflineAfter10s(api);
            long now = System.currentTimeMillis();
            try (Uplink gw = new Uplink(hub)) {
                gw.send(telemetry("lamp-b1-01", "lamp_post", now, "{\"leakage_ma\": 1}"),
                        telemetry("door-b1-01", "door_access", now, "{\"door_open\": false}"),
                        telemetry("manhole-b1-01", "manhole", now, "{\"water_below_cover_cm\": 180}"));
                await().atMost(Duration.ofSeconds(10)).until(() -> HubFixture.count(hub,
                        "SELECT count(*) FROM devices WHERE last_seen_at IS NOT NULL") == 3);
            }

            await().atMost(Duration.ofSeconds(40)).until(() -> !incidents(api, "GATEWAY_OFFLINE").isEmpty());
            JsonNode offline = incidents(api, "GATEWAY_OFFLINE").get(0);
            assertThat(offline.path("device_id").asText()).isEqualTo("gw-sunny-1");
            assertThat(offline.path("gateway_id").asText()).isEqualTo("gw-sunny-1");
            assertThat(offline.path("community_id").asText()).isEqualTo("sunny-garden");
            assertThat(offline.path("severity").asText()).isEqualTo("major");
            assertThat(offline.path("summary").asText())
                    .startsWith("Gateway offline: no uplink connection from gw-sunny-1 for ")
                    .endsWith("; its 42 devices are not monitored (Gateway in the management office)");
            assertThat(offline.path("details").path("devices").asInt()).isEqualTo(42);
            assertThat(incidents(api, "DEVICE_OFFLINE")).as("the gateway's devices are not each reported").isEmpty();

            try (Uplink back = new Uplink(hub)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> HubFixture.count(hub,
                        "SELECT count(*) FROM incident_timeline WHERE action = 'sensor_normal'"
                                + " AND details->>'message' = 'gateway connected again' AND incident_id = "
                                + offline.path("id").asLong()) == 1);
            }
            assertThat(incidents(api, "GATEWAY_OFFLINE")).singleElement()
                    .satisfies(i -> assertThat(i.path("status").asText()).as("people close incidents")
                            .isNotIn("closed", "cancelled"));
        }
    }

    @Test
    void aDeviceIsSilentByItsGatewaysClockAndNotedWhenItIsBack(TimescaleDb timescale) throws Exception {
        try (Hub hub = hub(timescale); Uplink gw = new Uplink(hub)) {
            ApiClient api = ApiClient.admin(hub);
            long t0 = System.currentTimeMillis() - 20 * 60_000;
            gw.send(telemetry("lamp-b1-01", "lamp_post", t0, "{\"leakage_ma\": 1}"),
                    telemetry("door-b1-01", "door_access", t0, "{\"door_open\": false}"),
                    telemetry("smoke-b1-01", "smoke_detector", t0, "{\"alarm\": false}"),
                    reading("door-b1-02", "door_access", "status", t0, "{\"status\": \"online\"}"));
            // The gateway keeps forwarding other devices for ten more minutes.
            gw.send(telemetry("lamp-b1-02", "lamp_post", t0 + 10 * 60_000, "{\"leakage_ma\": 1}"));

            await().atMost(Duration.ofSeconds(30)).until(() -> incidents(api, "DEVICE_OFFLINE").size() >= 3);
            List<String> silent = incidents(api, "DEVICE_OFFLINE").stream().map(i -> i.path("device_id").asText()).toList();
            assertThat(silent).as("MQTT devices: 3 x 60 s allowed, 10 min silent")
                    .containsExactlyInAnyOrder("lamp-b1-01", "door-b1-01", "door-b1-02");
            JsonNode lamp = incidents(api, "DEVICE_OFFLINE").stream()
                    .filter(i -> i.path("device_id").asText().equals("lamp-b1-01")).findFirst().orElseThrow();
            assertThat(lamp.path("summary").asText())
                    .isEqualTo("Device offline: no data from lamp-b1-01 for 10 min in Building 1 (path lamp 1)");
            assertThat(lamp.path("severity").asText()).isEqualTo("minor");
            assertThat(lamp.path("details").path("offline_reason").asText()).isEqualTo("silent");
            assertThat(lamp.path("details").path("interval_s").asInt()).isEqualTo(60);
            assertThat(incidents(api, "GATEWAY_OFFLINE")).isEmpty();

            gw.send(telemetry("lamp-b1-01", "lamp_post", t0 + 11 * 60_000, "{\"leakage_ma\": 1}"));
            await().atMost(Duration.ofSeconds(10)).until(() -> HubFixture.count(hub,
                    "SELECT count(*) FROM incident_timeline WHERE action = 'sensor_normal'"
                            + " AND details->>'message' = 'device reporting again' AND incident_id = "
                            + lamp.path("id").asLong()) == 1);
            assertThat(silent).as("a smoke detector may be silent for 3 x 300 s").doesNotContain("smoke-b1-01");
        }
    }

    /** Acknowledges and resolves an incident through the API once the loop has dispatched it. */
    private static void resolve(ApiClient api, long id, String actionTaken) throws Exception {
        String path = "/api/incidents/" + id;
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get(path).path("status").asText().equals("dispatched"));
        assertThat(api.send("POST", path + "/acknowledge", null).statusCode()).isEqualTo(200);
        assertThat(api.send("POST", path + "/resolve", "{\"action_taken\": \"" + actionTaken + "\"}").statusCode())
                .isEqualTo(200);
    }

    private static List<Long> ids(ApiClient api, String type, String device) throws Exception {
        return incidents(api, type).stream().filter(i -> i.path("device_id").asText().equals(device))
                .map(i -> i.path("id").asLong()).toList();
    }

    @Test
    void aDeviceSilentAgainAfterItsIncidentWasResolvedIsReportedAgain(TimescaleDb timescale) throws Exception {
        try (Hub hub = hub(timescale); Uplink gw = new Uplink(hub)) {
            ApiClient api = ApiClient.admin(hub);
            long t0 = System.currentTimeMillis() - 40 * 60_000;
            gw.send(telemetry("lamp-b2-01", "lamp_post", t0, "{\"leakage_ma\": 1}"));
            gw.send(telemetry("lamp-b2-02", "lamp_post", t0 + 10 * 60_000, "{\"leakage_ma\": 1}"));
            await().atMost(Duration.ofSeconds(30)).until(() -> ids(api, "DEVICE_OFFLINE", "lamp-b2-01").size() == 1);
            long first = ids(api, "DEVICE_OFFLINE", "lamp-b2-01").get(0);
            resolve(api, first, "fuse replaced");

            // Back for a while, then silent again: a new outage, a new incident.
            gw.send(telemetry("lamp-b2-01", "lamp_post", t0 + 11 * 60_000, "{\"leakage_ma\": 1}"));
            gw.send(telemetry("lamp-b2-02", "lamp_post", t0 + 30 * 60_000, "{\"leakage_ma\": 1}"));
            await().atMost(Duration.ofSeconds(30)).until(() -> ids(api, "DEVICE_OFFLINE", "lamp-b2-01").size() == 2);
            long second = ids(api, "DEVICE_OFFLINE", "lamp-b2-01").stream().filter(id -> id != first).findFirst().orElseThrow();
            await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/api/incidents/" + second).path("status").asText()
                    .equals("dispatched"));
            assertThat(api.get("/api/incidents/" + first).path("status").asText()).isEqualTo("resolved");
        }
    }

    @Test
    void aGatewayCutOffAgainAfterItsIncidentWasResolvedIsReportedAgain(TimescaleDb timescale) throws Exception {
        try (Hub hub = hub(timescale)) {
            ApiClient api = ApiClient.admin(hub);
            gatewayOfflineAfter10s(api);
            try (Uplink gw = new Uplink(hub)) {
                gw.send(telemetry("lamp-b1-03", "lamp_post", System.currentTimeMillis(), "{\"leakage_ma\": 1}"));
                await().atMost(Duration.ofSeconds(10)).until(() -> HubFixture.count(hub,
                        "SELECT count(*) FROM gateways WHERE id = 'gw-sunny-1' AND last_seen_at IS NOT NULL") == 1);
            }
            await().atMost(Duration.ofSeconds(40)).until(() -> ids(api, "GATEWAY_OFFLINE", "gw-sunny-1").size() == 1);
            long first = ids(api, "GATEWAY_OFFLINE", "gw-sunny-1").get(0);

            try (Uplink back = new Uplink(hub)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> HubFixture.count(hub,
                        "SELECT count(*) FROM incident_timeline WHERE action = 'sensor_normal' AND incident_id = " + first) == 1);
                resolve(api, first, "router restarted");
            }
            // Cut off again after the resolution: a new incident, not the resolved one's business.
            await().atMost(Duration.ofSeconds(40)).until(() -> ids(api, "GATEWAY_OFFLINE", "gw-sunny-1").size() == 2);
            assertThat(api.get("/api/incidents/" + first).path("status").asText()).isEqualTo("resolved");
        }
    }
}
