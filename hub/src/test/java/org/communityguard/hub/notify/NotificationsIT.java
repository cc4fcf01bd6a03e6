package org.communityguard.hub.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.hub.incident.Timeline;
import org.communityguard.hub.scenario.FakeEndpoint;
import org.communityguard.hub.scenario.LoopClient;
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

    private List<String> attempts(long incident, String channel) throws Exception {
        return attempts(incident, channel, "%");
    }

    private List<String> attempts(long incident, String channel, String recipient) throws Exception {
        try (Connection c = hub.database().dataSource().getConnection();
             var ps = c.prepareStatement("SELECT outcome FROM notification_attempts WHERE incident_id = ? AND channel = ?"
                     + " AND recipient LIKE ? ORDER BY id")) {
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
        assertThat(attempts(id, "webhook", flakyWebhook.url())).containsExactly("retry", "retry", "sent");
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

        // The hub-wide receiver is gone (404), which is not going to change: one attempt, marked failed, visible on the incident.
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get(pm, "/api/incidents/" + id).json().path("notifications")
                .findParents("recipient").stream().anyMatch(n -> n.path("recipient").asText().equals(goneWebhook.url())
                        && n.path("status").asText().equals("failed")));
        assertThat(HubFixture.count(hub, "SELECT count(*) FROM notification_attempts WHERE incident_id = " + id
                + " AND recipient = '" + goneWebhook.url() + "'")).isEqualTo(1);
    }

    @Test
    void theRespondersEmailReachesARealSmtpServer() throws Exception {
        long id = api.dispatchedFireAt(pm, "smoke-b1-04");

        await().atMost(Duration.ofSeconds(15)).until(() -> Arrays.stream(smtp.getReceivedMessages())
                .anyMatch(m -> subject(m).contains("FIRE dispatched") && body(m).contains("#" + id + " ")));
        MimeMessage mail = Arrays.stream(smtp.getReceivedMessages())
                .filter(m -> body(m).contains("#" + id + " ")).findFirst().orElseThrow();
        assertThat(mail.getAllRecipients()[0].toString()).isEqualTo("w1@sunny-garden.example");
        assertThat(mail.getFrom()[0].toString()).isEqualTo("alerts@sunny-garden.example");
        assertThat(body(mail)).contains("responder: w1");
        assertThat(attempts(id, "email")).containsExactly("sent");
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
        Thread.sleep(1000);
        assertThat(HubFixture.count(hub, "SELECT count(*) FROM notification_outbox WHERE event = 'fire_alert'")).isEqualTo(3);
    }

    private static String subject(MimeMessage m) {
        try {
            return m.getSubject();
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
