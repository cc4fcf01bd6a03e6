package org.communityguard.hub.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.hub.ingest.UplinkTestClient;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A resolved incident waits for its rating; a new alarm from the same device is a new emergency.
 * It must open a new incident that is dispatched, has its own SLA deadlines and is notified,
 * while the resolved one can still be rated. A real hub, the real uplink, the real API and a
 * local webhook receiver.
 */
@ExtendWith(RealServers.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AlarmAfterResolutionIT {

    private Hub hub;
    private LoopClient api;
    private FakeEndpoint webhook;
    private String pm;
    private String worker;

    @BeforeAll
    void start(TimescaleDb timescale) throws Exception {
        webhook = FakeEndpoint.accepting();
        hub = HubFixture.start(timescale.createDatabase(), Map.of(
                "HUB_LOOP_POLL_INTERVAL", "200ms",
                "HUB_NOTIFY_WEBHOOK_URL", webhook.url(),
                "HUB_NOTIFY_WEBHOOK_SECRET", "alarm-after-resolution-secret"));
        api = new LoopClient(hub);
        String admin = api.admin();
        api.createUser(admin, "pm1", "property_manager", null, null, null, null);
        api.createUser(admin, "w2", "grid_worker", null, null, null, null);
        pm = api.loginAs("pm1");
        worker = api.loginAs("w2");
        // One responder everywhere; each test uses its own building, so no two tests' fires are grouped.
        assertThat(api.put(pm, "/api/routing/duty/*/fire", "{\"username\": \"w2\"}").status()).isEqualTo(200);
        assertThat(api.put(pm, "/api/routing/duty/*/electrical", "{\"username\": \"w2\"}").status()).isEqualTo(200);
    }

    @AfterAll
    void stop() {
        hub.close();
        webhook.close();
    }

    @Test
    void aFireAfterTheLastOneWasResolvedIsANewIncidentDispatchedWithDeadlinesAndNotified() throws Exception {
        String detector = "smoke-b3-01";
        long[] fires = fireResolvedThenAlarmAgain(detector, "kitchen fire put out; detector cleaned");
        long first = fires[0];
        long second = fires[1];

        JsonNode next = api.get(pm, "/api/incidents/" + second).json();
        assertThat(next.path("status").asText()).isEqualTo("dispatched");
        assertThat(next.path("responder").asText()).isEqualTo("w2");
        assertThat(actions(next)).containsExactly("opened", "dispatched");
        assertThat(next.path("deadlines")).hasSize(3)
                .allSatisfy(d -> assertThat(d.path("met_at").isNull()).as("a fresh deadline").isTrue());
        assertThat(next.path("deadlines").get(0).path("step").asText()).isEqualTo("acknowledge");
        await().atMost(Duration.ofSeconds(15)).until(() -> webhookEventsFor(second).contains("dispatched"));

        // The new fire is not a second detector: one detector alarming twice confirms nothing.
        assertThat(actions(next)).doesNotContain("confirmed");
        assertThat(next.path("details").path("confirmed").isMissingNode()).isTrue();

        // The resolved one still waits for its rating, and says that its detector alarmed again.
        JsonNode resolved = api.get(pm, "/api/incidents/" + first).json();
        assertThat(resolved.path("status").asText()).isEqualTo("resolved");
        JsonNode again = lastEntry(resolved, "alarmed_again");
        assertThat(again.path("details").path("incident_id").asLong()).isEqualTo(second);

        // Reopening the resolved one now would make two active fires for one detector.
        LoopClient.Answer reopen = api.post(pm, "/api/incidents/" + first + "/reopen", "{\"reason\": \"it burns again\"}");
        assertThat(reopen.status()).isEqualTo(409);
        assertThat(reopen.error()).isEqualTo("cannot reopen: device " + detector + " already has an active FIRE incident, "
                + second + "; handle that one");
        assertThat(api.post(pm, "/api/incidents/" + first + "/close", "{\"rating\": 3, \"comment\": \"came back\"}")
                .json().path("status").asText()).isEqualTo("closed");
    }

    @Test
    void theDetectorBackToNormalIsNotedOnTheIncidentThatIsStillActive() throws Exception {
        String detector = "smoke-b1-02";
        long[] fires = fireResolvedThenAlarmAgain(detector, "smoke from a barbecue; detector reset");
        long first = fires[0];
        long second = fires[1];

        try (UplinkTestClient gateway = new UplinkTestClient(hub.uplinkPort(), HubFixture.GATEWAY, HubFixture.GATEWAY_SECRET)) {
            send(gateway, event(detector, "smoke_detector", "{\"event\": \"alarm_cleared\"}"));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> actions(api.get(pm, "/api/incidents/" + second).json())
                .contains("sensor_normal"));
        assertThat(actions(api.get(pm, "/api/incidents/" + first).json())).doesNotContain("sensor_normal");
    }

    @Test
    void aDeviceReportedOfflineAgainAfterItsIncidentWasResolvedIsANewIncident() throws Exception {
        String device = "lamp-b2-03";
        try (UplinkTestClient gateway = new UplinkTestClient(hub.uplinkPort(), HubFixture.GATEWAY, HubFixture.GATEWAY_SECRET)) {
            send(gateway, status(device, "lamp_post", "offline"));
            long first = awaitNewIncident(device, "DEVICE_OFFLINE", -1);
            await().atMost(Duration.ofSeconds(10)).until(() -> "dispatched".equals(status(first)));
            handleAndResolve(first, "power restored at the cabinet");

            send(gateway, status(device, "lamp_post", "online"), status(device, "lamp_post", "offline"));
            long second = awaitNewIncident(device, "DEVICE_OFFLINE", first);
            await().atMost(Duration.ofSeconds(10)).until(() -> "dispatched".equals(status(second)));
            assertThat(api.get(pm, "/api/incidents/" + second).json().path("deadlines")).hasSize(3);
        }
    }

    // ---- helpers

    /** A fire at {@code detector}, handled and resolved; then the detector alarms again. The two incidents' ids. */
    private long[] fireResolvedThenAlarmAgain(String detector, String actionTaken) throws Exception {
        long first = api.dispatchedFireAt(pm, detector);
        handleAndResolve(first, actionTaken);
        api.smokeAlarm(detector);
        return new long[] {first, awaitNewIncident(detector, "FIRE", first)};
    }

    private void handleAndResolve(long id, String actionTaken) throws Exception {
        String path = "/api/incidents/" + id;
        assertThat(api.post(worker, path + "/acknowledge", null).status()).isEqualTo(200);
        LoopClient.Answer resolved = api.post(worker, path + "/resolve", "{\"action_taken\": \"" + actionTaken + "\"}");
        assertThat(resolved.status()).as(resolved.json().toString()).isEqualTo(200);
        assertThat(resolved.json().path("status").asText()).isEqualTo("resolved");
    }

    private String status(long id) throws Exception {
        return api.get(pm, "/api/incidents/" + id).json().path("status").asText();
    }

    /** Waits for an incident of {@code type} at {@code device} other than {@code not}; returns its id. */
    private long awaitNewIncident(String device, String type, long not) throws Exception {
        long[] id = {-1};
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            for (JsonNode i : api.get(pm, "/api/incidents?limit=1000").json().path("incidents")) {
                if (device.equals(i.path("device_id").asText()) && type.equals(i.path("type").asText())
                        && i.path("id").asLong() != not) {
                    id[0] = i.path("id").asLong();
                    return true;
                }
            }
            return false;
        });
        return id[0];
    }

    private List<String> webhookEventsFor(long incident) throws Exception {
        List<String> events = new ArrayList<>();
        for (FakeEndpoint.Received r : webhook.received()) {
            JsonNode body = api.json().readTree(r.body());
            if (body.path("incident").path("id").asLong() == incident) {
                events.add(body.path("event").asText());
            }
        }
        return events;
    }

    private static List<String> actions(JsonNode incident) {
        List<String> out = new ArrayList<>();
        incident.path("timeline").forEach(e -> out.add(e.path("action").asText()));
        return out;
    }

    private static JsonNode lastEntry(JsonNode incident, String action) {
        JsonNode found = null;
        for (JsonNode e : incident.path("timeline")) {
            if (action.equals(e.path("action").asText())) {
                found = e;
            }
        }
        assertThat(found).as("a '" + action + "' entry in " + actions(incident)).isNotNull();
        return found;
    }

    private static String event(String device, String type, String data) {
        return "{\"device\": \"" + device + "\", \"type\": \"" + type + "\", \"kind\": \"event\", \"rx\": "
                + System.currentTimeMillis() + ", \"data\": " + data + "}";
    }

    private static String status(String device, String type, String status) {
        return "{\"device\": \"" + device + "\", \"type\": \"" + type + "\", \"kind\": \"status\", \"rx\": "
                + System.currentTimeMillis() + ", \"data\": {\"status\": \"" + status + "\"}}";
    }

    private static void send(UplinkTestClient gateway, String... readings) throws Exception {
        byte[] batch = ("{\"v\": 1, \"gateway\": \"" + HubFixture.GATEWAY + "\", \"batch\": \"" + UUID.randomUUID()
                + "\", \"readings\": [" + String.join(",", readings) + "]}").getBytes(StandardCharsets.UTF_8);
        UplinkTestClient.Ack ack = gateway.publish("uplink/v1/" + HubFixture.GATEWAY + "/batch", batch);
        assertThat(ack.reasonCode()).isZero();
    }
}
