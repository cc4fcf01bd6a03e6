package org.communityguard.hub.incident;

import static org.assertj.core.api.Assertions.assertThat;
import static org.communityguard.hub.incident.Uplink.event;
import static org.communityguard.hub.incident.Uplink.telemetry;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.communityguard.hub.ApiClient;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Readings in over the uplink, incidents out through the API, against a real TimescaleDB. Each
 * test uses its own devices of the demo site, so they share one hub.
 */
@ExtendWith(RealServers.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IncidentDetectionIT {

    private Hub hub;
    private ApiClient api;
    private final long now = System.currentTimeMillis();

    @BeforeAll
    void startHub(TimescaleDb timescale) throws Exception {
        hub = HubFixture.start(timescale.createDatabase(), Map.of());
        api = ApiClient.admin(hub);
    }

    @AfterAll
    void stopHub() {
        hub.close();
    }

    private List<JsonNode> incidents(String deviceId, String type) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode i : api.get("/api/incidents?limit=1000").path("incidents")) {
            if (i.path("device_id").asText().equals(deviceId) && i.path("type").asText().equals(type)) {
                out.add(i);
            }
        }
        return out;
    }

    private JsonNode only(String deviceId, String type) throws Exception {
        List<JsonNode> found = incidents(deviceId, type);
        assertThat(found).as(type + " at " + deviceId).hasSize(1);
        return found.get(0);
    }

    private long count(String sql) throws Exception {
        return HubFixture.count(hub, sql);
    }

    @Test
    void theGoldenSampleRaisesEveryIncidentItCarriesLocatingUnknownDevicesAtTheGateway() throws Exception {
        try (Uplink gw = new Uplink(hub); InputStream in = getClass().getResourceAsStream("/uplink/batch-all-types.json")) {
            gw.send(in.readAllBytes());
        }

        JsonNode fire = only("smoke-b1-03", "FIRE");
        assertThat(fire.path("building_id").asText()).isEqualTo("B1");
        assertThat(fire.path("severity").asText()).isEqualTo("critical");
        assertThat(fire.path("group_id").isNumber()).isTrue();

        JsonNode cabinet = only("lamp-b1-01", "CABINET_OPEN");
        assertThat(cabinet.path("summary").asText()).contains("tamper switch").contains("Building 1");

        JsonNode cover = only("manhole-07", "COVER_DISPLACED");
        assertThat(cover.path("community_id").asText()).isEqualTo("sunny-garden");
        assertThat(cover.path("building_id").isNull()).isTrue();
        assertThat(cover.path("gateway_id").asText()).isEqualTo("gw-sunny-1");
        assertThat(cover.path("summary").asText())
                .endsWith("(not a registered device; located at gateway gw-sunny-1, Gateway in the management office)");

        JsonNode offline = only("door-b9-99", "DEVICE_OFFLINE");
        assertThat(offline.path("details").path("unprovisioned").asBoolean()).isTrue();
        assertThat(offline.path("summary").asText()).contains("located at gateway gw-sunny-1");

        assertThat(incidents("door-b1-01", "BRUTE_FORCE")).as("one denied attempt is no attack").isEmpty();
    }

    @Test
    void aNoisySensorOpensOneIncidentNotFifty() throws Exception {
        try (Uplink gw = new Uplink(hub)) {
            for (int b = 0; b < 10; b++) {
                List<String> readings = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    // 28..34 mA around the 30 mA threshold: crosses it again and again.
                    double ma = 31 + 3 * Math.sin(b * 5 + i);
                    readings.add(telemetry("lamp-b2-03", "lamp_post", now + (b * 5 + i) * 1000L, "{\"leakage_ma\": " + ma + "}"));
                }
                gw.send(readings.toArray(String[]::new));
            }
        }

        JsonNode leak = only("lamp-b2-03", "ELECTRIC_LEAKAGE");
        assertThat(leak.path("severity").asText()).isEqualTo("critical");
        assertThat(leak.path("details").path("leakage_ma").asDouble()).isGreaterThanOrEqualTo(30);
        // The loop dispatches it (its own timeline entries); detection itself wrote "opened" once.
        assertThat(count("SELECT count(*) FROM incident_timeline t JOIN incidents i ON i.id = t.incident_id"
                + " WHERE i.device_id = 'lamp-b2-03' AND t.action NOT IN ('dispatched', 'escalated')"))
                .as("opened, and nothing since").isEqualTo(1);
        assertThat(hub.scrapeMetrics()).containsPattern("hub_incidents_already_open_total\\{type=\"ELECTRIC_LEAKAGE\"\\} [1-9]");
    }

    @Test
    void aSensorBackToNormalIsNotedButOnlyPeopleCloseIncidents() throws Exception {
        try (Uplink gw = new Uplink(hub)) {
            gw.send(event("manhole-b3-02", "manhole", now, "{\"event\": \"cover_opened\"}"),
                    telemetry("manhole-b3-02", "manhole", now + 1, "{\"cover_open\": true, \"tilt_deg\": 31.5}"));
            gw.send(event("manhole-b3-02", "manhole", now + 60_000, "{\"event\": \"cover_closed\"}"),
                    telemetry("manhole-b3-02", "manhole", now + 60_001, "{\"cover_open\": false, \"tilt_deg\": 0.4}"));
        }

        JsonNode cover = only("manhole-b3-02", "COVER_DISPLACED");
        assertThat(cover.path("status").asText()).as("still in the loop: a sensor does not close it")
                .isNotIn("closed", "cancelled");
        assertThat(cover.path("severity").asText()).isEqualTo("critical");
        assertThat(cover.path("summary").asText()).isEqualTo(
                "Manhole cover displaced: cover opened at manhole-b3-02 in Building 3 (road manhole 2)");
        assertThat(count("SELECT count(*) FROM incident_timeline WHERE incident_id = " + cover.path("id").asLong()
                + " AND action = 'sensor_normal' AND details->>'message' = 'manhole reports the cover closed'"))
                .as("the event says so; the telemetry after it changes nothing").isEqualTo(1);
    }

    @Test
    void closingAnIncidentWhileTheSensorStillReadsDangerBringsItBack() throws Exception {
        try (Uplink gw = new Uplink(hub)) {
            gw.send(telemetry("lamp-b3-01", "lamp_post", now, "{\"leakage_ma\": 40}"),
                    telemetry("lamp-b3-01", "lamp_post", now + 1000, "{\"leakage_ma\": 41}"));
            long first = only("lamp-b3-01", "ELECTRIC_LEAKAGE").path("id").asLong();
            // What the closed loop does when someone closes it.
            try (var c = hub.database().dataSource().getConnection(); var st = c.createStatement()) {
                st.executeUpdate("UPDATE incidents SET status = 'closed' WHERE id = " + first);
            }
            gw.send(telemetry("lamp-b3-01", "lamp_post", now + 2000, "{\"leakage_ma\": 42}"));
            assertThat(count("SELECT count(*) FROM incidents WHERE device_id = 'lamp-b3-01' AND is_open")).isEqualTo(1);
            assertThat(count("SELECT count(*) FROM incidents WHERE device_id = 'lamp-b3-01'")).isEqualTo(2);

            gw.send(telemetry("lamp-b3-01", "lamp_post", now + 3000, "{\"leakage_ma\": 2}"));
            assertThat(count("SELECT count(*) FROM incident_timeline WHERE action = 'sensor_normal' AND incident_id = " + first))
                    .as("the closed one is left alone").isZero();
            assertThat(count("SELECT count(*) FROM incident_timeline t JOIN incidents i ON i.id = t.incident_id"
                    + " WHERE i.device_id = 'lamp-b3-01' AND i.is_open AND t.action = 'sensor_normal'")).isEqualTo(1);
        }
    }

    @Test
    void twoDetectorsOfABuildingConfirmTheFireAndEverythingInItBecomesCritical() throws Exception {
        try (Uplink gw = new Uplink(hub)) {
            gw.send(event("door-b3-02", "door_access", now, "{\"event\": \"held_open\", \"open_s\": 300}"));
            gw.send(event("smoke-b3-01", "smoke_detector", now + 10_000, "{\"event\": \"alarm\", \"level\": \"alarm\"}"));
            JsonNode before = only("smoke-b3-01", "FIRE");
            assertThat(before.path("summary").asText()).startsWith("Fire: smoke detector alarm");
            assertThat(only("door-b3-02", "DOOR_HELD_OPEN").path("severity").asText()).isEqualTo("minor");

            // Three minutes later, two floors up: inside the 5-minute confirmation window.
            gw.send(event("smoke-b3-03", "smoke_detector", now + 190_000, "{\"event\": \"alarm\", \"level\": \"alarm\"}"));
        }

        JsonNode first = only("smoke-b3-01", "FIRE");
        JsonNode second = only("smoke-b3-03", "FIRE");
        JsonNode door = only("door-b3-02", "DOOR_HELD_OPEN");
        long group = first.path("group_id").asLong();
        assertThat(second.path("group_id").asLong()).isEqualTo(group);
        assertThat(door.path("group_id").asLong()).as("same building, within the minute").isEqualTo(group);
        for (JsonNode fire : List.of(first, second)) {
            assertThat(fire.path("summary").asText()).startsWith("Confirmed fire: smoke detector alarm at smoke-b3-0");
            assertThat(fire.path("details").path("confirmed").asBoolean()).isTrue();
            assertThat(count("SELECT count(*) FROM incident_timeline WHERE action = 'confirmed' AND incident_id = "
                    + fire.path("id").asLong() + " AND details->>'message' LIKE 'confirmed fire: 2 detectors of building B3%'"))
                    .isEqualTo(1);
        }
        assertThat(door.path("severity").asText()).isEqualTo("critical");
        assertThat(count("SELECT count(*) FROM incident_timeline WHERE action = 'severity_raised' AND incident_id = "
                + door.path("id").asLong() + " AND details->>'from' = 'minor'")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM incident_groups WHERE confirmed_at IS NOT NULL AND id = " + group)).isEqualTo(1);
        assertThat(hub.scrapeMetrics()).containsPattern("hub_incidents_fires_confirmed_total [1-9]");
    }

    @Test
    void detectorsOfDifferentBuildingsOrFarApartInTimeDoNotConfirm() throws Exception {
        try (Uplink gw = new Uplink(hub)) {
            gw.send(event("smoke-b1-05", "smoke_detector", now, "{\"event\": \"alarm\"}"),
                    event("smoke-b2-05", "smoke_detector", now, "{\"event\": \"alarm\"}"));
            gw.send(event("smoke-b2-04", "smoke_detector", now + 3_600_000, "{\"event\": \"alarm\"}"));
        }
        JsonNode b1 = only("smoke-b1-05", "FIRE");
        JsonNode b2 = only("smoke-b2-05", "FIRE");
        JsonNode b2later = only("smoke-b2-04", "FIRE");
        assertThat(b1.path("group_id").asLong()).isNotEqualTo(b2.path("group_id").asLong());
        assertThat(b2later.path("group_id").asLong()).isNotEqualTo(b2.path("group_id").asLong());
        for (JsonNode f : List.of(b1, b2, b2later)) {
            assertThat(f.path("details").has("confirmed")).isFalse();
        }
    }

    @Test
    void waterRisingTowardACoverPredictsWhenItOverflows() throws Exception {
        try (Uplink gw = new Uplink(hub)) {
            // One reading every five minutes, 20 cm higher each time: 4 cm/min.
            for (int i = 0; i < 4; i++) {
                gw.send(telemetry("manhole-b2-02", "manhole", now + i * 300_000L,
                        "{\"water_below_cover_cm\": " + (150 - 20 * i) + ", \"cover_open\": false, \"tilt_deg\": 0.5}"));
            }
        }
        JsonNode flood = only("manhole-b2-02", "FLOOD_RISK");
        assertThat(flood.path("severity").asText()).isEqualTo("major");
        assertThat(flood.path("details").path("predicted_overflow_min").asDouble()).isEqualTo(22.5);
        assertThat(flood.path("details").path("rise_cm_per_min").asDouble()).isEqualTo(4.0);
        assertThat(flood.path("summary").asText()).contains("at the cover in about 23 min").contains("Building 2");
    }

    @Test
    void aTestButtonPressIsStoredAndIsNoFire() throws Exception {
        try (Uplink gw = new Uplink(hub)) {
            gw.send(event("smoke-b2-03", "smoke_detector", now, "{\"event\": \"test\"}"),
                    event("smoke-b2-03", "smoke_detector", now + 500, "{\"event\": \"alarm\", \"level\": \"alarm\"}"),
                    telemetry("smoke-b2-03", "smoke_detector", now + 1000, "{\"alarm\": true, \"smoke_obscuration_pct_m\": 0.2}"));
        }
        assertThat(incidents("smoke-b2-03", "FIRE")).isEmpty();
        assertThat(count("SELECT count(*) FROM readings WHERE device_id = 'smoke-b2-03' AND data->>'event' = 'test'"))
                .isEqualTo(1);
    }
}
