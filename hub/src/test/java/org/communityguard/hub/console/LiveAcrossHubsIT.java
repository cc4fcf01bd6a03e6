package org.communityguard.hub.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.hub.auth.Role;
import org.communityguard.hub.auth.Users;
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
 * The live board across hubs: two hubs on one database, as behind a load balancer. A console
 * signed in on hub B sees what happens through hub A (a fire over A's uplink, an acknowledgement
 * through A's API), and a change committed that no hub published, without its notification,
 * still reaches it. Hub B reads the timeline only once a minute by itself, so what it shows
 * within the test's 30 s came by the database's notification; the hub started for the lost
 * notification reads it every 300 ms.
 */
@ExtendWith(RealServers.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiveAcrossHubsIT {

    private static final String PM = "pm-live";
    private static final String PM_PASSWORD = "live-board-password";

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private Database db;
    private Hub hubA;
    private Hub hubB;
    private LoopClient apiA;
    private String tokenA;

    @BeforeAll
    void start(TimescaleDb timescale) throws Exception {
        db = timescale.createDatabase();
        hubA = HubFixture.start(db, Map.of("HUB_LOOP_POLL_INTERVAL", "200ms"));
        hubB = HubFixture.start(db, Map.of("HUB_LOOP_POLL_INTERVAL", "200ms", "HUB_LIVE_RECONCILE_INTERVAL", "1m"));
        new Users(hubA.database().dataSource()).upsert(PM, PM_PASSWORD, Role.PROPERTY_MANAGER);
        apiA = new LoopClient(hubA);
        tokenA = apiA.login(PM, PM_PASSWORD);
    }

    @AfterAll
    void stop() {
        hubA.close();
        hubB.close();
    }

    @Test
    void aConsoleOnHubBSeesAFireRaisedThroughHubAAndItsAcknowledgementThere() throws Exception {
        try (EventStreamClient onB = liveStream(hubB)) {
            apiA.smokeAlarm("smoke-b2-04");
            long id = onB.nextAbout(LiveBoard.OPENED, "smoke-b2-04", null).path("id").asLong();
            assertThat(onB.nextAbout(LiveBoard.UPDATED, "smoke-b2-04", "dispatched").path("id").asLong()).isEqualTo(id);

            LoopClient.Answer ack = apiA.post(tokenA, "/api/incidents/" + id + "/acknowledge", "{\"note\": \"on my way\"}");
            assertThat(ack.status()).as(ack.json().toString()).isEqualTo(200);
            JsonNode acknowledged = onB.nextAbout(LiveBoard.UPDATED, "smoke-b2-04", "acknowledged");
            assertThat(acknowledged.path("id").asLong()).isEqualTo(id);
            assertThat(acknowledged.path("next_step").asText()).isEqualTo("on_site");
        }
    }

    @Test
    void aChangeNoHubPublishedAndWhoseNotificationWasLostStillReachesTheConsole() throws Exception {
        try (Hub hubC = HubFixture.start(db, Map.of("HUB_LIVE_RECONCILE_INTERVAL", "300ms"));
             EventStreamClient onC = liveStream(hubC)) {
            apiA.smokeAlarm("smoke-b3-05");
            long id = onC.nextAbout(LiveBoard.UPDATED, "smoke-b3-05", "dispatched").path("id").asLong();

            // A hub acknowledges it and dies before it can tell anyone; its notification never goes out.
            try (Connection c = hubC.database().dataSource().getConnection(); Statement st = c.createStatement()) {
                c.setAutoCommit(false);
                st.execute("ALTER TABLE incident_timeline DISABLE TRIGGER USER");
                try (PreparedStatement ps = c.prepareStatement("UPDATE incidents SET status = 'acknowledged' WHERE id = ?")) {
                    ps.setLong(1, id);
                    assertThat(ps.executeUpdate()).isEqualTo(1);
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO incident_timeline (incident_id, actor, action)"
                        + " VALUES (?, 'pm-live', 'acknowledged')")) {
                    ps.setLong(1, id);
                    ps.executeUpdate();
                }
                st.execute("ALTER TABLE incident_timeline ENABLE TRIGGER USER");
                c.commit();
            }
            assertThat(onC.nextAbout(LiveBoard.UPDATED, "smoke-b3-05", "acknowledged").path("id").asLong()).isEqualTo(id);
        }
    }

    @Test
    void aHubListensAgainAfterItsDatabaseSessionWasKilled() throws Exception {
        long killed;
        try (Connection c = hubA.database().dataSource().getConnection(); Statement st = c.createStatement()) {
            var rs = st.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    + " WHERE application_name = 'communityguard-hub-live' AND datname = current_database()");
            rs.next();
            killed = rs.getLong(1);
        }
        assertThat(killed).as("each hub's listening session").isGreaterThanOrEqualTo(2);
        await().atMost(Duration.ofSeconds(20)).until(() -> HubFixture.count(hubA, "SELECT count(*) FROM pg_stat_activity"
                + " WHERE application_name = 'communityguard-hub-live' AND datname = current_database()") >= 2);

        try (EventStreamClient onB = liveStream(hubB)) {
            apiA.smokeAlarm("smoke-b1-03");
            assertThat(onB.nextAbout(LiveBoard.OPENED, "smoke-b1-03", null).path("severity").asText()).isEqualTo("critical");
        }
    }

    /** A console signed in on {@code hub}: its live stream from the board snapshot's position. */
    private EventStreamClient liveStream(Hub hub) throws Exception {
        String base = "http://127.0.0.1:" + hub.httpPort();
        HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(base + "/api/auth/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(Map.of("username", PM, "password", PM_PASSWORD))))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        HttpResponse<String> board = http.send(HttpRequest.newBuilder(URI.create(base + "/api/board")).header("Cookie", cookie)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(board.statusCode()).as(board.body()).isEqualTo(200);
        String last = json.readTree(board.body()).path("last_event_id").asText();
        return new EventStreamClient(http, HttpRequest.newBuilder(URI.create(base + "/api/events?last_event_id=" + last))
                .header("Cookie", cookie).timeout(Duration.ofMinutes(5)).GET().build());
    }
}
