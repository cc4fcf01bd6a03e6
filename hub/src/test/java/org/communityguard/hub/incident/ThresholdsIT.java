package org.communityguard.hub.incident;

import static org.assertj.core.api.Assertions.assertThat;
import static org.communityguard.hub.incident.Uplink.telemetry;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.Map;
import org.communityguard.hub.ApiClient;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.hub.auth.Role;
import org.communityguard.hub.incident.threshold.Threshold;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** GET and PUT /api/communities/{id}/thresholds, and their effect on detection. */
@ExtendWith(RealServers.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ThresholdsIT {

    private static final String PATH = "/api/communities/sunny-garden/thresholds";

    private Hub hub;
    private ApiClient manager;

    @BeforeAll
    void startHub(TimescaleDb timescale) throws Exception {
        hub = HubFixture.start(timescale.createDatabase(), Map.of());
        manager = ApiClient.user(hub, "pm-li", Role.PROPERTY_MANAGER);
    }

    @AfterAll
    void stopHub() {
        hub.close();
    }

    private static JsonNode find(JsonNode body, String scope, String key) {
        for (JsonNode t : body.path("thresholds")) {
            if (t.path("scope").asText().equals(scope) && t.path("key").asText().equals(key)) {
                return t;
            }
        }
        throw new AssertionError("no " + scope + "." + key + " in " + body);
    }

    private HttpResponse<String> put(String body) throws Exception {
        return manager.send("PUT", PATH, body);
    }

    @Test
    void listsEveryThresholdWithItsDefaultUnitRangeAndMeaning() throws Exception {
        JsonNode body = manager.get(PATH);

        assertThat(body.path("community_id").asText()).isEqualTo("sunny-garden");
        assertThat(body.path("thresholds")).hasSize(Threshold.values().length);
        JsonNode flood = find(body, "manhole", "flood_level_cm");
        assertThat(flood.path("value").asInt()).isEqualTo(30);
        assertThat(flood.path("default").asInt()).isEqualTo(30);
        assertThat(flood.path("unit").asText()).isEqualTo("cm");
        assertThat(flood.path("min").asInt()).isZero();
        assertThat(flood.path("description").asText()).contains("FLOOD_RISK");
        assertThat(find(body, "manhole", "flood_clear_cm").path("must_be").asText()).isEqualTo("above flood_level_cm");
    }

    @Test
    void onlyManagersMayReadOrChangeThem() throws Exception {
        assertThat(ApiClient.anonymous(hub).send("GET", PATH, null).statusCode()).isEqualTo(401);
        ApiClient worker = ApiClient.user(hub, "grid-wang", Role.GRID_WORKER);
        assertThat(worker.send("GET", PATH, null).statusCode()).isEqualTo(403);
        assertThat(worker.send("PUT", PATH, "{\"thresholds\": []}").statusCode()).isEqualTo(403);
        assertThat(ApiClient.admin(hub).send("GET", PATH, null).statusCode()).isEqualTo(200);
        assertThat(manager.send("GET", "/api/communities/nowhere/thresholds", null).statusCode()).isEqualTo(404);
        assertThat(manager.send("PUT", "/api/communities/nowhere/thresholds",
                "{\"thresholds\": [{\"scope\": \"manhole\", \"key\": \"flood_level_cm\", \"value\": 20}]}").statusCode())
                .isEqualTo(404);
    }

    @Test
    void badChangesAreRefusedWithEveryProblemNamedAndNothingChanges() throws Exception {
        HttpResponse<String> r = put("""
                {"thresholds": [
                  {"scope": "manhole", "key": "flood_level_cm", "value": 20},
                  {"scope": "manhole", "key": "no_such_key", "value": 1},
                  {"scope": "lamp_post", "key": "leakage_ma", "value": 5000},
                  {"scope": "door_access", "key": "brute_force_attempts", "value": 4.5},
                  {"scope": "smoke_detector", "key": "fire_heat_c", "value": "hot"},
                  {"scope": "manhole", "key": "flood_level_cm", "value": 25}
                ]}""");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(manager.read(r).path("error").asText())
                .contains("thresholds[1]: no threshold manhole.no_such_key")
                .contains("lamp_post.leakage_ma: 5000 is outside 1..1000 mA")
                .contains("door_access.brute_force_attempts: must be a whole number of attempts")
                .contains("smoke_detector.fire_heat_c: value must be a number")
                .contains("thresholds[5]: manhole.flood_level_cm is listed twice");
        assertThat(find(manager.get(PATH), "manhole", "flood_level_cm").path("overridden").asBoolean()).isFalse();

        HttpResponse<String> inverted = put("""
                {"thresholds": [{"scope": "lamp_post", "key": "leakage_clear_ma", "value": 40}]}""");
        assertThat(inverted.statusCode()).isEqualTo(400);
        assertThat(manager.read(inverted).path("error").asText())
                .contains("lamp_post.leakage_clear_ma (40) must be below lamp_post.leakage_ma (30)");

        assertThat(put("{\"thresholds\": []}").statusCode()).isEqualTo(400);
        assertThat(put("not json").statusCode()).isEqualTo(400);
        assertThat(put("{\"thresholds\": [{\"scope\": \"manhole\"}]}").statusCode()).isEqualTo(400);
    }

    @Test
    void aChangeTakesEffectAtOnceAndNullRestoresTheDefault() throws Exception {
        long now = System.currentTimeMillis();
        try (Uplink gw = new Uplink(hub)) {
            gw.send(telemetry("lamp-b2-04", "lamp_post", now, "{\"leakage_ma\": 12}"),
                    telemetry("lamp-b2-04", "lamp_post", now + 1, "{\"leakage_ma\": 12}"));
            assertThat(HubFixture.count(hub, "SELECT count(*) FROM incidents WHERE device_id = 'lamp-b2-04'")).isZero();

            HttpResponse<String> r = put("""
                    {"thresholds": [
                      {"scope": "lamp_post", "key": "leakage_ma", "value": 10},
                      {"scope": "lamp_post", "key": "leakage_clear_ma", "value": 5},
                      {"scope": "lamp_post", "key": "debounce_readings", "value": 1}
                    ]}""");
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode leakage = find(manager.read(r), "lamp_post", "leakage_ma");
            assertThat(leakage.path("value").asInt()).isEqualTo(10);
            assertThat(leakage.path("overridden").asBoolean()).isTrue();
            assertThat(leakage.path("updated_by").asText()).isEqualTo("pm-li");
            assertThat(leakage.path("updated_at").asText()).isNotBlank();

            gw.send(telemetry("lamp-b2-04", "lamp_post", now + 2, "{\"leakage_ma\": 12}"));
            assertThat(HubFixture.count(hub, "SELECT count(*) FROM incidents WHERE device_id = 'lamp-b2-04'"
                    + " AND type = 'ELECTRIC_LEAKAGE' AND summary LIKE '%at or over 10 mA%'")).isEqualTo(1);
        }

        HttpResponse<String> reset = put("""
                {"thresholds": [
                  {"scope": "lamp_post", "key": "leakage_ma", "value": null},
                  {"scope": "lamp_post", "key": "leakage_clear_ma", "value": null},
                  {"scope": "lamp_post", "key": "debounce_readings", "value": null}
                ]}""");
        assertThat(reset.statusCode()).isEqualTo(200);
        JsonNode leakage = find(manager.read(reset), "lamp_post", "leakage_ma");
        assertThat(leakage.path("value").asInt()).isEqualTo(30);
        assertThat(leakage.path("overridden").asBoolean()).isFalse();
        assertThat(HubFixture.count(hub, "SELECT count(*) FROM thresholds")).isZero();
        assertThat(HubFixture.count(hub, "SELECT count(*) FROM audit_log WHERE action = 'thresholds.put'"
                + " AND actor = 'pm-li' AND subject_id = 'sunny-garden' AND details ? 'lamp_post.leakage_ma'"))
                .as("both changes are in the audit log").isEqualTo(2);
    }
}
