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
 * still escalate on time, at its first pass after the deadline. SLAs are shortened through the
 * API, not slept through; what must not happen is checked after a pass of the loop that began
 * when it would have been due ({@link LoopClient#awaitLoopPass}), not after a sleep.
 */
@ExtendWith(RealServers.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EscalationScenarioIT {

    private static final String SECRET = "webhook-secret-for-tests";

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
        hub = HubFixture.start(timescale.createDatabase(), settings());
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

        // The chain ends at the street office: no third level, however long it stays overdue. A
        // third would be due one period (2 s) after the second; a pass that began after that leaves two.
        Instant thirdWouldBeDue = Instant.parse(ack.path("due_at").asText()).plusSeconds(2 * 2);
        await().atMost(Duration.ofSeconds(30)).until(() -> Instant.now().isAfter(thirdWouldBeDue));
        api.awaitLoopPass();
        assertThat(escalations(api.get(pm, path).json())).hasSize(2);

        // Acknowledging late stops nothing that happened, and the record shows it.
        assertThat(api.post(api.loginAs("w1"), path + "/acknowledge", null).status()).isEqualTo(200);
        assertThat(api.get(pm, path).json().path("deadlines").get(0).path("met_at").isNull()).isFalse();
    }

    @Test
    void escalationSurvivesAHubRestartMidDeadline(TimescaleDb timescale) throws Exception {
        // A database and hubs of its own, without the shared receivers: this test stops hubs and
        // changes the SLA, which must not leak into the other tests (nor a failure here leave them
        // a stopped hub), and its incident ids are another database's (the receivers tell
        // incidents by id).
        Database own = timescale.createDatabase();
        Map<String, String> settings = Map.of("HUB_LOOP_POLL_INTERVAL", "200ms");
        Hub first = HubFixture.start(own, settings);
        long id;
        try {
            LoopClient client = staffed(first);
            String manager = client.loginAs("pm1");
            // Long enough that the hub certainly stops before the deadline, however slow the machine.
            assertThat(client.put(manager, "/api/slas/critical", "{\"acknowledge_s\": 600, \"on_site_s\": 1200,"
                    + " \"resolve_s\": 3600}").status()).isEqualTo(200);
            id = client.dispatchedFireAt(manager, "smoke-b2-01");
        } finally {
            first.close();
        }

        // The hub has stopped before the deadline; a new one starts on the same database. Meanwhile
        // the deadline draws near (the row aged, as by the minutes a real outage would last): it
        // falls due while the new hub starts, or just after.
        Instant due = dueInTwoSeconds(own, id);
        try (Hub second = HubFixture.start(own, settings)) {
            LoopClient client = new LoopClient(second);
            String manager = client.loginAs("pm1");
            String path = "/api/incidents/" + id;

            // On time: the new hub's first pass that began after the deadline escalates it.
            await().atMost(Duration.ofSeconds(30)).until(() -> Instant.now().isAfter(due));
            client.awaitLoopPass();
            JsonNode after = client.get(manager, path).json();
            assertThat(escalations(after)).as("escalated by the first pass after the deadline").hasSize(1);
            assertThat(Instant.parse(escalations(after).get(0).path("at").asText())).isAfterOrEqualTo(due);
            assertThat(escalations(after).get(0).path("details").path("to").asText()).isEqualTo("property_manager");
            assertThat(after.path("timeline").findValuesAsText("action").stream().filter("dispatched"::equals))
                    .as("the new hub does not dispatch it again").hasSize(1);
        }
    }

    /**
     * With no hub running: moves the incident's acknowledge deadline, unmet and not escalated (the
     * stopped hub never reached it), to two seconds from now; returns it.
     */
    private static Instant dueInTwoSeconds(Database db, long incident) throws Exception {
        try (var c = db.connect();
             var ps = c.prepareStatement("UPDATE incident_deadlines SET due_at = now() + interval '2 seconds',"
                     + " next_at = now() + interval '2 seconds' WHERE incident_id = ? AND step = 'acknowledge'"
                     + " AND level = 0 AND met_at IS NULL AND NOT EXISTS (SELECT 1 FROM incident_timeline"
                     + " WHERE incident_id = ? AND action = 'escalated') RETURNING due_at")) {
            ps.setLong(1, incident);
            ps.setLong(2, incident);
            try (var rs = ps.executeQuery()) {
                assertThat(rs.next()).as("an unmet acknowledge deadline, not escalated before the hub stopped").isTrue();
                return rs.getTimestamp(1).toInstant();
            }
        }
    }

    private static List<JsonNode> undeliverable(JsonNode incident) {
        return incident.path("timeline").findParents("action").stream()
                .filter(e -> e.path("action").asText().equals("notification_undeliverable")).toList();
    }

    /** A hub of its own, for receivers that misbehave, with the same staff as the shared one. */
    private static LoopClient staffed(Hub own) throws Exception {
        LoopClient client = new LoopClient(own);
        String admin = client.admin();
        client.createUser(admin, "pm1", "property_manager", null, null, "+8613900000001", null);
        client.createUser(admin, "w1", "grid_worker", "G1", null, "+8613900000002", null);
        client.createUser(admin, "street1", "supervisor", null, null, "+8613900000003", null);
        String manager = client.loginAs("pm1");
        assertThat(client.put(manager, "/api/routing/duty/G1/fire", "{\"username\": \"w1\"}").status()).isEqualTo(200);
        assertThat(client.put(manager, "/api/routing/duty/G1/municipal", "{\"username\": \"w1\"}").status()).isEqualTo(200);
        return client;
    }

    /** The dispatch notification's status and attempts so far: "pending 3". */
    private static String outboxRow(Hub own, long incident, String channel, String recipient) throws Exception {
        try (var c = own.database().dataSource().getConnection();
             var ps = c.prepareStatement("SELECT status || ' ' || attempts FROM notification_outbox"
                     + " WHERE incident_id = ? AND channel = ? AND recipient = ? AND event = 'dispatched'")) {
            ps.setLong(1, incident);
            ps.setString(2, channel);
            ps.setString(3, recipient);
            try (var rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : "none 0";
            }
        }
    }

    @Test
    void aWebhookThatFailsForEverIsUndeliverableAfterItsBudgetAndThePropertyManagerHearsOfIt(TimescaleDb timescale)
            throws Exception {
        try (FakeEndpoint broken = new FakeEndpoint(Integer.MAX_VALUE, 500); FakeEndpoint texts = FakeEndpoint.accepting()) {
            Hub own = HubFixture.start(timescale.createDatabase(), Map.of("HUB_LOOP_POLL_INTERVAL", "200ms",
                    "HUB_NOTIFY_WEBHOOK_SECRET", SECRET, "HUB_NOTIFY_SMS_URL", texts.url(), "HUB_NOTIFY_RETRY_BASE", "200ms",
                    "HUB_NOTIFY_RETRY_BUDGET_CRITICAL", "2s"));
            try {
                LoopClient client = staffed(own);
                String manager = client.loginAs("pm1");
                // The fire brigade contact's system answers 500 to everything.
                assertThat(client.put(client.admin(), "/api/departments/fire", "{\"name\": \"Fire brigade contact\","
                        + " \"webhook_url\": \"" + broken.url() + "\"}").status()).isEqualTo(200);
                long id = client.dispatchedFireAt(manager, "smoke-b1-03");
                String path = "/api/incidents/" + id;

                await().atMost(Duration.ofSeconds(20)).until(() -> !undeliverable(client.get(manager, path).json()).isEmpty());
                List<JsonNode> facts = undeliverable(client.get(manager, path).json());
                assertThat(facts).hasSize(1);
                JsonNode fact = facts.get(0);
                assertThat(fact.path("actor").asText()).isEqualTo("system");
                JsonNode details = fact.path("details");
                assertThat(details.path("event").asText()).isEqualTo("dispatched");
                assertThat(details.path("channel").asText()).isEqualTo("webhook");
                assertThat(details.path("recipient").asText()).isEqualTo(broken.url());
                assertThat(details.path("cause").asText()).isEqualTo("budget");
                assertThat(details.path("reason").asText()).contains("HTTP 500");
                assertThat(details.path("attempts").asInt()).isGreaterThanOrEqualTo(2).isEqualTo(broken.received().size());
                assertThat(details.path("to").asText()).isEqualTo("property_manager");
                assertThat(details.path("notified").toString()).contains("pm1");
                assertThat(outboxRow(own, id, "webhook", broken.url())).startsWith("failed ");

                // Someone hears of the fire another way: the property manager's phone.
                await().atMost(Duration.ofSeconds(10)).until(() -> texts.received().stream().map(FakeEndpoint.Received::body)
                        .anyMatch(b -> b.contains("+8613900000001") && b.contains("#" + id + " ") && b.contains("NOT DELIVERED")));
                String metrics = new String(client.get(null, "/metrics").raw().body(), StandardCharsets.UTF_8);
                assertThat(metrics).containsPattern("hub_notifications_undeliverable_total\\{[^}]*cause=\"budget\"[^}]*channel=\"webhook\"");
            } finally {
                own.close();
            }
        }
    }

    @Test
    void aCriticalIncidentsTextIsTriedUntilAcknowledgedWhileALesserOnesIsGivenUpAfterItsBudget(TimescaleDb timescale)
            throws Exception {
        // The SMS gateway cannot reach the worker's phone; everyone else's it can.
        try (FakeEndpoint texts = new FakeEndpoint((n, r) -> r.body().contains("\"to\":\"+8613900000002\"")
                ? FakeEndpoint.Reply.status(503) : FakeEndpoint.Reply.ok())) {
            Hub own = HubFixture.start(timescale.createDatabase(), Map.of("HUB_LOOP_POLL_INTERVAL", "200ms",
                    "HUB_NOTIFY_SMS_URL", texts.url(), "HUB_NOTIFY_RETRY_BASE", "200ms",
                    "HUB_NOTIFY_RETRY_BUDGET", "1s", "HUB_NOTIFY_RETRY_BUDGET_CRITICAL", "1h"));
            try {
                LoopClient client = staffed(own);
                String manager = client.loginAs("pm1");
                long fire = client.dispatchedFireAt(manager, "smoke-b1-03");
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    String[] row = outboxRow(own, fire, "sms", "+8613900000002").split(" ");
                    return row[0].equals("pending") && Integer.parseInt(row[1]) >= 2;
                });

                // A major incident (a resident's phone report) for the same worker.
                LoopClient.Answer report = client.post(manager, "/api/reports/phone", "{\"caller_name\": \"Grandma Zhao\","
                        + " \"caller_phone\": \"+8613800000009\", \"category\": \"manhole\", \"text\": \"cover rocks\","
                        + " \"building\": \"B2\"}");
                assertThat(report.status()).as(report.json().toString()).isEqualTo(201);
                long major = report.json().path("incident_id").asLong();

                // Its text is given up after its one-second budget: undeliverable, and the property manager is told.
                await().atMost(Duration.ofSeconds(20)).until(() -> !undeliverable(client.get(manager, "/api/incidents/" + major)
                        .json()).isEmpty());
                JsonNode fact = undeliverable(client.get(manager, "/api/incidents/" + major).json()).get(0);
                assertThat(fact.path("details").path("channel").asText()).isEqualTo("sms");
                assertThat(fact.path("details").path("cause").asText()).isEqualTo("budget");
                assertThat(fact.path("details").path("to").asText()).isEqualTo("property_manager");
                assertThat(outboxRow(own, major, "sms", "+8613900000002")).startsWith("failed ");
                await().atMost(Duration.ofSeconds(10)).until(() -> texts.received().stream().map(FakeEndpoint.Received::body)
                        .anyMatch(b -> b.contains("\"to\":\"+8613900000001\"") && b.contains("NOT DELIVERED: #" + major + " ")));

                // The fire's text, failing for longer, is still being tried: a critical budget is far longer.
                assertThat(outboxRow(own, fire, "sms", "+8613900000002")).startsWith("pending ");
                assertThat(undeliverable(client.get(manager, "/api/incidents/" + fire).json())).isEmpty();

                // The worker acknowledges (in the app): trying to reach them about it is moot now.
                assertThat(client.post(client.loginAs("w1"), "/api/incidents/" + fire + "/acknowledge", null).status())
                        .isEqualTo(200);
                await().atMost(Duration.ofSeconds(10)).until(() -> outboxRow(own, fire, "sms", "+8613900000002").startsWith("moot "));
                assertThat(undeliverable(client.get(manager, "/api/incidents/" + fire).json())).isEmpty();
            } finally {
                own.close();
            }
        }
    }
}
