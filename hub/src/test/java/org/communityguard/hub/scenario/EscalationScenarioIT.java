package org.communityguard.hub.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.hub.notify.WebhookChannel;
import org.communityguard.testkit.Database;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A missed response cannot hide: a smoke alarm is dispatched per the routing table to the
 * grid's on-duty worker (told by SMS, the street office's system by a signed webhook); nobody
 * acknowledges, so the property manager is told, then the street office. Deadlines live in
 * the database: a hub stopped before the deadline and a new one started on the same database
 * still escalate on time. SLAs are shortened through the API, not slept through.
 */
@ExtendWith(RealServers.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EscalationScenarioIT {

    private static final String SECRET = "webhook-secret-for-tests";

    private Database db;
    private Hub hub;
    private LoopClient api;
    private FakeEndpoint webhook;
    private FakeEndpoint sms;
    private String pm;

    private Map<String, String> settings() {
        return Map.of("HUB_LOOP_POLL_INTERVAL", "200ms",
                "HUB_NOTIFY_WEBHOOK_URL", webhook.url(), "HUB_NOTIFY_WEBHOOK_SECRET", SECRET,
                "HUB_NOTIFY_SMS_URL", sms.url(), "HUB_NOTIFY_RETRY_BASE", "200ms");
    }

    @BeforeAll
    void startHub(TimescaleDb timescale) throws Exception {
        webhook = FakeEndpoint.accepting();
        sms = FakeEndpoint.accepting();
        db = timescale.createDatabase();
        hub = HubFixture.start(db, settings());
        api = new LoopClient(hub);
        String admin = api.admin();
        api.createUser(admin, "pm1", "property_manager", null, null, "+8613900000001", null);
        api.createUser(admin, "w1", "grid_worker", "G1", null, "+8613900000002", null);
        api.createUser(admin, "street1", "supervisor", null, null, "+8613900000003", null);
        pm = api.loginAs("pm1");
        assertThat(api.put(pm, "/api/routing/duty/G1/fire", "{\"username\": \"w1\"}").status()).isEqualTo(200);
        // Critical: acknowledge within 2 s, so escalation levels come at 2 s and 4 s.
        assertThat(api.put(pm, "/api/slas/critical", "{\"acknowledge_s\": 2, \"on_site_s\": 600, \"resolve_s\": 3600}")
                .status()).isEqualTo(200);
    }

    @AfterAll
    void stop() {
        hub.close();
        webhook.close();
        sms.close();
    }

    private static List<JsonNode> escalations(JsonNode incident) {
        return incident.path("timeline").findParents("action").stream()
                .filter(e -> e.path("action").asText().equals("escalated")).toList();
    }

    /** Webhook deliveries of an event about one incident. */
    private long webhooks(String event, long incident) throws Exception {
        long n = 0;
        for (FakeEndpoint.Received r : webhook.received()) {
            JsonNode body = api.json().readTree(r.body());
            if (body.path("event").asText().equals(event) && body.path("incident").path("id").asLong() == incident) {
                n++;
            }
        }
        return n;
    }

    /** Texts to a phone about one incident. */
    private List<String> smsTo(String phone, long incident) {
        return sms.received().stream().map(FakeEndpoint.Received::body)
                .filter(b -> b.contains(phone) && b.contains("#" + incident + " ")).toList();
    }

    @Test
    void aSensorIncidentIsDispatchedPerTheRoutingTableAndEscalatesWhenNobodyAcknowledges() throws Exception {
        long id = api.dispatchedFireAt(pm, "smoke-b1-03");
        String path = "/api/incidents/" + id;

        JsonNode dispatched = api.get(pm, path).json();
        assertThat(dispatched.path("grid").asText()).isEqualTo("G1");
        assertThat(dispatched.path("department").asText()).isEqualTo("fire");
        assertThat(dispatched.path("responder").asText()).isEqualTo("w1");

        // The on-duty worker gets an SMS; the street office's system a signed webhook.
        await().atMost(Duration.ofSeconds(10)).until(() -> smsTo("+8613900000002", id).size() >= 1);
        assertThat(smsTo("+8613900000002", id).get(0)).contains("Dispatched #" + id + " FIRE (critical)");
        await().atMost(Duration.ofSeconds(10)).until(() -> webhooks("dispatched", id) == 1);

        // Nobody acknowledges: level 1 tells the property manager, level 2 the street office.
        await().atMost(Duration.ofSeconds(20)).until(() -> escalations(api.get(pm, path).json()).size() >= 2);
        JsonNode overdue = api.get(pm, path).json();
        List<JsonNode> levels = escalations(overdue);
        assertThat(levels.get(0).path("actor").asText()).isEqualTo("system");
        assertThat(levels.get(0).path("details").path("to").asText()).isEqualTo("property_manager");
        assertThat(levels.get(0).path("details").path("notified").toString()).contains("w1", "pm1");
        assertThat(levels.get(1).path("details").path("to").asText()).isEqualTo("street_office");
        assertThat(levels.get(1).path("details").path("notified").toString()).contains("street1");
        assertThat(levels.get(0).path("details").path("step").asText()).isEqualTo("acknowledge");
        JsonNode ack = overdue.path("deadlines").get(0);
        assertThat(ack.path("overdue").asBoolean()).isTrue();
        assertThat(ack.path("level").asInt()).isEqualTo(2);
        assertThat(Instant.parse(levels.get(0).path("at").asText()))
                .isAfterOrEqualTo(Instant.parse(ack.path("due_at").asText()));

        await().atMost(Duration.ofSeconds(10)).until(() -> smsTo("+8613900000001", id).size() >= 1
                && smsTo("+8613900000003", id).size() >= 1);
        assertThat(smsTo("+8613900000001", id).get(0)).contains("OVERDUE (acknowledge");
        await().atMost(Duration.ofSeconds(10)).until(() -> webhooks("escalated", id) == 2);
        for (FakeEndpoint.Received r : webhook.received()) {
            assertThat(r.header(WebhookChannel.SIGNATURE_HEADER)).isEqualTo("sha256="
                    + WebhookChannel.sign(SECRET.getBytes(StandardCharsets.UTF_8), r.body().getBytes(StandardCharsets.UTF_8)));
        }

        // The chain ends at the street office: no third level, however long it stays overdue
        // (a third would be due 2 s after the second; wait past that).
        Thread.sleep(2500);
        assertThat(escalations(api.get(pm, path).json())).hasSize(2);

        // Acknowledging late stops nothing that happened, and the record shows it.
        assertThat(api.post(api.loginAs("w1"), path + "/acknowledge", null).status()).isEqualTo(200);
        assertThat(api.get(pm, path).json().path("deadlines").get(0).path("met_at").isNull()).isFalse();
    }

    @Test
    void escalationSurvivesAHubRestartMidDeadline() throws Exception {
        assertThat(api.put(pm, "/api/slas/critical", "{\"acknowledge_s\": 4, \"on_site_s\": 600, \"resolve_s\": 3600}")
                .status()).isEqualTo(200);
        long id = api.dispatchedFireAt(pm, "smoke-b2-01");
        String path = "/api/incidents/" + id;
        JsonNode before = api.get(pm, path).json();
        Instant due = Instant.parse(before.path("deadlines").get(0).path("due_at").asText());
        assertThat(escalations(before)).isEmpty();

        // The hub stops before the deadline; a new one starts on the same database.
        hub.close();
        assertThat(Instant.now()).as("stopped before the deadline").isBefore(due);
        hub = HubFixture.start(db, settings());
        api.use(hub);
        pm = api.loginAs("pm1");

        await().atMost(Duration.ofSeconds(20)).until(() -> !escalations(api.get(pm, path).json()).isEmpty());
        JsonNode after = api.get(pm, path).json();
        Instant escalatedAt = Instant.parse(escalations(after).get(0).path("at").asText());
        assertThat(escalatedAt).isAfterOrEqualTo(due).isBefore(due.plusSeconds(4));
        assertThat(escalations(after).get(0).path("details").path("to").asText()).isEqualTo("property_manager");
        assertThat(after.path("timeline").findValuesAsText("action").stream().filter("dispatched"::equals))
                .as("the new hub does not dispatch it again").hasSize(1);
        api.put(pm, "/api/slas/critical", "{\"acknowledge_s\": 2, \"on_site_s\": 600, \"resolve_s\": 3600}");
    }
}
