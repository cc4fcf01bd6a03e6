package org.communityguard.hub.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.hub.incident.Timeline;
import org.communityguard.hub.scenario.FakeEndpoint;
import org.communityguard.hub.scenario.LoopClient;
import org.communityguard.testkit.Database;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every channel against a real local server: webhook (retried with back-off until the receiver
 * takes it, signed every time), e-mail through a real SMTP server (GreenMail), the SMS gateway
 * interface against a local HTTP endpoint; every attempt recorded. And a confirmed fire tells
 * the registered residents of its building, each on their own channel, once.
 */
@ExtendWith(RealServers.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NotificationsIT {

    private static final String SECRET = "another-webhook-secret";

    private Hub hub;
    private LoopClient api;
    private GreenMail smtp;
    private FakeEndpoint goneWebhook;
    private FakeEndpoint sms;
    private String pm;

    @BeforeAll
    void start(TimescaleDb timescale) throws Exception {
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        goneWebhook = new FakeEndpoint(1000, 404);
        sms = FakeEndpoint.accepting();
        hub = HubFixture.start(timescale.createDatabase(), Map.ofEntries(
                Map.entry("HUB_LOOP_POLL_INTERVAL", "200ms"),
                Map.entry("HUB_NOTIFY_WEBHOOK_URL", goneWebhook.url()),
                Map.entry("HUB_NOTIFY_WEBHOOK_SECRET", SECRET),
                Map.entry("HUB_NOTIFY_RETRY_BASE", "200ms"),
                Map.entry("HUB_NOTIFY_SMTP_HOST", "127.0.0.1"),
                Map.entry("HUB_NOTIFY_SMTP_PORT", Integer.toString(smtp.getSmtp().getPort())),
                Map.entry("HUB_NOTIFY_SMTP_TLS", "none"),
                Map.entry("HUB_NOTIFY_SMTP_FROM", "alerts@sunny-garden.example"),
                Map.entry("HUB_NOTIFY_SMS_URL", sms.url()),
                Map.entry("HUB_NOTIFY_SMS_TOKEN", "sms-token")));
        api = new LoopClient(hub);
        String admin = api.admin();
        api.createUser(admin, "pm1", "property_manager", null, null, null, "pm1@sunny-garden.example");
        api.createUser(admin, "w1", "grid_worker", "G1", null, null, "w1@sunny-garden.example");
        pm = api.loginAs("pm1");
        api.put(pm, "/api/routing/duty/G1/fire", "{\"username\": \"w1\"}");
    }

    @AfterAll
    void stop() {
        hub.close();
        smtp.stop();
        goneWebhook.close();
        sms.close();
    }

    private List<String> attempts(long incident, String channel, String recipient) throws Exception {
        return attempts(hub, incident, channel, recipient);
    }

    /** Each attempt's outcome, and its error when there was one: "sent", "retry: webhook answered HTTP 503". */
    private static List<String> attempts(Hub hub, long incident, String channel, String recipient) throws Exception {
        try (Connection c = hub.database().dataSource().getConnection();
             var ps = c.prepareStatement("SELECT outcome || coalesce(': ' || error, '') FROM notification_attempts"
                     + " WHERE incident_id = ? AND channel = ? AND recipient LIKE ? ORDER BY id")) {
            ps.setLong(1, incident);
            ps.setString(2, channel);
            ps.setString(3, recipient);
            try (var rs = ps.executeQuery()) {
                List<String> out = new java.util.ArrayList<>();
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
                return out;
            }
        }
    }

    @Test
    void webhookIsRetriedWithBackOffUntilTakenAndSignedEveryTime() throws Exception {
        // The fire contact's system answers 503 twice before it takes a delivery.
        FakeEndpoint flakyWebhook = new FakeEndpoint(2, 503);
        try {
            webhookRetries(flakyWebhook);
        } finally {
            flakyWebhook.close();
        }
    }

    private void webhookRetries(FakeEndpoint flakyWebhook) throws Exception {
        assertThat(api.put(api.admin(), "/api/departments/fire", "{\"name\": \"Fire brigade contact\", \"webhook_url\": \""
                + flakyWebhook.url() + "\"}").status()).isEqualTo(200);
        long id = api.dispatchedFireAt(pm, "smoke-b1-05");

        await().atMost(Duration.ofSeconds(15)).until(() -> attempts(id, "webhook", flakyWebhook.url()).contains("sent"));
        assertThat(attempts(id, "webhook", flakyWebhook.url()))
                .containsExactly("retry: webhook answered HTTP 503", "retry: webhook answered HTTP 503", "sent");
        List<FakeEndpoint.Received> got = flakyWebhook.received().subList(0, 3);
        assertThat(got).extracting(r -> r.header(WebhookChannel.DELIVERY_HEADER)).containsOnly(got.get(0).header(WebhookChannel.DELIVERY_HEADER));
        for (FakeEndpoint.Received r : got) {
            assertThat(r.header(WebhookChannel.SIGNATURE_HEADER)).isEqualTo("sha256="
                    + WebhookChannel.sign(SECRET.getBytes(StandardCharsets.UTF_8), r.body().getBytes(StandardCharsets.UTF_8)));
            assertThat(r.header(WebhookChannel.EVENT_HEADER)).isEqualTo("dispatched");
        }
        JsonNode payload = api.json().readTree(got.get(2).body());
        assertThat(payload.path("incident").path("id").asLong()).isEqualTo(id);
        assertThat(payload.path("incident").path("responder").asText()).isEqualTo("w1");

        // The hub-wide receiver is gone (404): a configuration error, not retried. One attempt, marked failed,
        // and at once an undeliverable fact on the incident's timeline, escalated to the property manager by e-mail.
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get(pm, "/api/incidents/" + id).json().path("notifications")
                .findParents("recipient").stream().anyMatch(n -> n.path("recipient").asText().equals(goneWebhook.url())
                        && n.path("status").asText().equals("failed")));
        assertThat(HubFixture.count(hub, "SELECT count(*) FROM notification_attempts WHERE incident_id = " + id
                + " AND recipient = '" + goneWebhook.url() + "'")).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> undeliverable(id, goneWebhook.url()).isPresent());
        JsonNode fact = undeliverable(id, goneWebhook.url()).orElseThrow();
        assertThat(fact.path("actor").asText()).isEqualTo("system");
        assertThat(fact.path("details").path("cause").asText()).isEqualTo("configuration");
        assertThat(fact.path("details").path("reason").asText()).contains("HTTP 404");
        assertThat(fact.path("details").path("attempts").asInt()).isEqualTo(1);
        assertThat(fact.path("details").path("to").asText()).isEqualTo("property_manager");
        assertThat(fact.path("details").path("notified").toString()).contains("pm1");
        await().atMost(Duration.ofSeconds(10)).until(() -> Arrays.stream(smtp.getReceivedMessages()).anyMatch(m ->
                recipient(m).equals("pm1@sunny-garden.example") && body(m).contains("#" + id + " ")
                        && body(m).contains(goneWebhook.url()) && body(m).contains("HTTP 404")));
    }

    /** The incident's timeline entry telling that the notification to {@code recipient} could not be delivered. */
    private Optional<JsonNode> undeliverable(long incident, String recipient) throws Exception {
        return api.get(pm, "/api/incidents/" + incident).json().path("timeline").findParents("action").stream()
                .filter(e -> e.path("action").asText().equals("notification_undeliverable")
                        && e.path("details").path("recipient").asText().equals(recipient))
                .findFirst();
    }

    @Test
    void theRespondersEmailReachesARealSmtpServer() throws Exception {
        long id = api.dispatchedFireAt(pm, "smoke-b1-04");

        await().atMost(Duration.ofSeconds(15)).until(() -> Arrays.stream(smtp.getReceivedMessages())
                .anyMatch(m -> subject(m).contains("FIRE dispatched") && body(m).contains("#" + id + " ")));
        MimeMessage mail = Arrays.stream(smtp.getReceivedMessages())
                .filter(m -> subject(m).contains("FIRE dispatched") && body(m).contains("#" + id + " ")).findFirst().orElseThrow();
        assertThat(mail.getAllRecipients()[0].toString()).isEqualTo("w1@sunny-garden.example");
        assertThat(mail.getFrom()[0].toString()).isEqualTo("alerts@sunny-garden.example");
        assertThat(body(mail)).contains("responder: w1");
        // The attempt is recorded once the SMTP server has taken the mail.
        await().atMost(Duration.ofSeconds(10)).until(() -> !attempts(id, "email", "w1@%").isEmpty());
        assertThat(attempts(id, "email", "w1@%")).containsExactly("sent");
    }

    @Test
    void aConfirmedFireAlertsTheRegisteredResidentsOfItsBuildingOnce() throws Exception {
        String staff = api.loginAs("w1");
        api.post(staff, "/api/residents", "{\"name\": \"Zhang San\", \"building\": \"B2\", \"phone\": \"+8613700000001\"}");
        api.post(staff, "/api/residents", "{\"name\": \"Li Si\", \"building\": \"B2\", \"phone\": \"+8613700000002\"}");
        api.post(staff, "/api/residents", "{\"name\": \"Wang Wu\", \"building\": \"B2\", \"email\": \"wangwu@example.org\"}");
        api.post(staff, "/api/residents", "{\"name\": \"Zhao Liu\", \"building\": \"B2\", \"phone\": \"+8613700000004\","
                + " \"notify_by\": \"none\"}");
        api.post(staff, "/api/residents", "{\"name\": \"Sun Qi\", \"building\": \"B3\", \"phone\": \"+8613700000005\"}");
        long id = api.dispatchedFireAt(pm, "smoke-b2-02");

        // Detection confirms the fire (a second detector in the building) with a timeline entry.
        Timeline timeline = new Timeline(Hub.jsonMapper());
        for (int i = 0; i < 2; i++) {
            try (Connection c = hub.database().dataSource().getConnection()) {
                timeline.append(c, id, "system", "confirmed", Map.of("detectors", List.of("smoke-b2-02", "smoke-b2-03")));
            }
        }

        await().atMost(Duration.ofSeconds(15)).until(() -> sms.received().stream().filter(r -> r.body().contains("FIRE ALARM")).count() == 2
                && Arrays.stream(smtp.getReceivedMessages()).anyMatch(m -> subject(m).equals("FIRE ALARM in your building")));
        List<String> texts = sms.received().stream().map(FakeEndpoint.Received::body).filter(b -> b.contains("FIRE ALARM")).toList();
        assertThat(String.join("\n", texts)).contains("+8613700000001", "+8613700000002")
                .doesNotContain("+8613700000004", "+8613700000005");
        assertThat(sms.received().get(0).header("Authorization")).isEqualTo("Bearer sms-token");
        JsonNode incident = api.get(pm, "/api/incidents/" + id).json();
        List<JsonNode> alerted = incident.path("timeline").findParents("action").stream()
                .filter(e -> e.path("action").asText().equals("residents_alerted")).toList();
        assertThat(alerted).hasSize(1);
        assertThat(alerted.get(0).path("details").path("residents_notified").asInt()).isEqualTo(3);
        assertThat(incident.path("notifications").findParents("event").stream()
                .filter(n -> n.path("event").asText().equals("fire_alert"))).allSatisfy(n -> assertThat(n.path("recipient").isNull()).isTrue());
        // Once: a pass of the loop that began after the alerts went out, with both confirmations
        // long in the timeline, adds none.
        api.awaitLoopPass();
        assertThat(HubFixture.count(hub, "SELECT count(*) FROM notification_outbox WHERE event = 'fire_alert'")).isEqualTo(3);
    }

    /** Staff on a hub of a test's own: a property manager, and the worker on duty for fires in grid G1 (phones only). */
    private static LoopClient staffed(Hub own) throws Exception {
        LoopClient client = new LoopClient(own);
        String admin = client.admin();
        client.createUser(admin, "pm1", "property_manager", null, null, "+8613900000001", null);
        client.createUser(admin, "w1", "grid_worker", "G1", null, "+8613900000002", null);
        assertThat(client.put(client.loginAs("pm1"), "/api/routing/duty/G1/fire", "{\"username\": \"w1\"}").status())
                .isEqualTo(200);
        return client;
    }

    @Test
    void aReceiverAskingToRetryLaterIsRetriedNoSoonerThanItAsked(TimescaleDb timescale) throws Exception {
        try (FakeEndpoint busy = new FakeEndpoint((n, r) -> n == 0
                ? FakeEndpoint.Reply.status(429).withHeader("Retry-After", "2") : FakeEndpoint.Reply.ok())) {
            Hub own = HubFixture.start(timescale.createDatabase(), Map.of("HUB_LOOP_POLL_INTERVAL", "200ms",
                    "HUB_NOTIFY_WEBHOOK_URL", busy.url(), "HUB_NOTIFY_WEBHOOK_SECRET", SECRET, "HUB_NOTIFY_RETRY_BASE", "100ms"));
            try {
                LoopClient client = staffed(own);
                long id = client.dispatchedFireAt(client.loginAs("pm1"), "smoke-b1-01");

                await().atMost(Duration.ofSeconds(15)).until(() -> attempts(own, id, "webhook", "%").contains("sent"));
                assertThat(attempts(own, id, "webhook", "%")).containsExactly("retry: webhook answered HTTP 429", "sent");
                List<FakeEndpoint.Received> got = busy.received();
                assertThat(got).hasSize(2);
                // 429 is "later", and the receiver said when: two seconds, not the 100 ms back-off.
                assertThat(Duration.between(got.get(0).at(), got.get(1).at())).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
                assertThat(got.get(1).header(WebhookChannel.DELIVERY_HEADER)).isEqualTo(got.get(0).header(WebhookChannel.DELIVERY_HEADER));
            } finally {
                own.close();
            }
        }
    }

    @Test
    void aReceiverThatHangsDoesNotHoldUpTheNextNotification(TimescaleDb timescale) throws Exception {
        try (FakeEndpoint hung = new FakeEndpoint((n, r) -> FakeEndpoint.Reply.hang());
             FakeEndpoint texts = FakeEndpoint.accepting()) {
            // The street office's system takes every request and never answers; its timeout is long.
            Hub own = HubFixture.start(timescale.createDatabase(), Map.of("HUB_LOOP_POLL_INTERVAL", "200ms",
                    "HUB_NOTIFY_WEBHOOK_URL", hung.url(), "HUB_NOTIFY_WEBHOOK_SECRET", SECRET, "HUB_NOTIFY_SMS_URL", texts.url(),
                    "HUB_NOTIFY_TIMEOUT", "2m", "HUB_NOTIFY_SENDERS", "4"));
            try {
                LoopClient client = staffed(own);
                String manager = client.loginAs("pm1");
                long first = client.dispatchedFireAt(manager, "smoke-b1-01");
                await().atMost(Duration.ofSeconds(15)).until(() -> hung.hanging() == 1);

                long second = client.dispatchedFireAt(manager, "smoke-b2-01");

                // The second fire's text reaches the worker while the first webhook is still waiting for an answer.
                await().atMost(Duration.ofSeconds(60)).until(() -> texts.received().stream()
                        .anyMatch(r -> r.body().contains("#" + second + " ")));
                assertThat(hung.hanging()).isGreaterThanOrEqualTo(1);
                assertThat(attempts(own, first, "webhook", "%")).as("the first webhook's attempt is not over").isEmpty();
            } finally {
                own.close();
            }
        }
    }

    @Test
    void aSenderStoppedMidSendLeavesALeaseThatAnotherHubTakesOver(TimescaleDb timescale) throws Exception {
        // The first request is never answered; any later one is taken.
        try (FakeEndpoint receiver = new FakeEndpoint((n, r) -> n == 0 ? FakeEndpoint.Reply.hang() : FakeEndpoint.Reply.ok())) {
            Database db = timescale.createDatabase();
            Map<String, String> settings = Map.of("HUB_LOOP_POLL_INTERVAL", "200ms", "HUB_NOTIFY_WEBHOOK_URL", receiver.url(),
                    "HUB_NOTIFY_WEBHOOK_SECRET", SECRET, "HUB_NOTIFY_TIMEOUT", "1m", "HUB_NOTIFY_LEASE", "2s");
            Hub first = HubFixture.start(db, settings);
            long row;
            try {
                LoopClient client = staffed(first);
                long id = client.dispatchedFireAt(client.loginAs("pm1"), "smoke-b1-01");
                await().atMost(Duration.ofSeconds(15)).until(() -> receiver.hanging() == 1);
                row = HubFixture.count(first, "SELECT id FROM notification_outbox WHERE incident_id = " + id
                        + " AND channel = 'webhook'");

                // Waiting for the receiver holds no row lock (and no transaction): only the lease in the row.
                try (Connection c = first.database().dataSource().getConnection(); Statement st = c.createStatement()) {
                    st.executeQuery("SELECT id FROM notification_outbox WHERE id = " + row + " FOR UPDATE NOWAIT").close();
                }
            } finally {
                first.close();
            }

            // Another hub on the same database sends it once the stopped hub's lease has run out.
            Hub second = HubFixture.start(db, settings);
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> HubFixture.count(second,
                        "SELECT count(*) FROM notification_outbox WHERE id = " + row + " AND status = 'sent'") == 1);
                List<FakeEndpoint.Received> got = receiver.received();
                assertThat(got).hasSize(2);
                assertThat(got.get(1).header(WebhookChannel.DELIVERY_HEADER)).isEqualTo(got.get(0).header(WebhookChannel.DELIVERY_HEADER))
                        .isEqualTo(Long.toString(row));
                long incident = HubFixture.count(second, "SELECT incident_id FROM notification_outbox WHERE id = " + row);
                assertThat(attempts(second, incident, "webhook", "%"))
                        .containsExactly("retry: the sender stopped mid-send (its lease ran out)", "sent");
            } finally {
                second.close();
            }
        }
    }

    private static String subject(MimeMessage m) {
        try {
            return m.getSubject();
        } catch (Exception e) {
            return "";
        }
    }

    private static String recipient(MimeMessage m) {
        try {
            return m.getAllRecipients()[0].toString();
        } catch (Exception e) {
            return "";
        }
    }

    private static String body(MimeMessage m) {
        try {
            return String.valueOf(m.getContent());
        } catch (Exception e) {
            return "";
        }
    }
}
