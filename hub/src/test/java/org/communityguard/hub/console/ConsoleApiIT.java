package org.communityguard.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.hub.auth.Role;
import org.communityguard.hub.auth.Users;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The console's API over real sockets with a real HTTP client, against a real hub on
 * TimescaleDB: session cookies and CSRF, login limits, the live event stream fed by incidents
 * opened through the uplink, board, incident detail, site and telemetry series.
 */
@ExtendWith(RealServers.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleApiIT {

    private static final String PM = "pm-lee";
    private static final String PM_PASSWORD = "property-manager-password";

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private Hub hub;
    private MqttClient gateway;
    private long seq = 1000;

    @BeforeAll
    void start(TimescaleDb timescale) throws Exception {
        // Behind a "proxy": tests pick their client address (X-Forwarded-For) and scheme.
        hub = HubFixture.start(timescale.createDatabase(), Map.of(
                "HUB_HTTP_TRUST_PROXY", "true",
                "HUB_LIVE_HEARTBEAT", "200ms",
                "HUB_AUTH_LOGIN_MAX_FAILURES_PER_USER", "3",
                "HUB_AUTH_LOGIN_MAX_FAILURES_PER_ADDRESS", "6"));
        Users users = new Users(hub.database().dataSource());
        users.upsert(PM, PM_PASSWORD, Role.PROPERTY_MANAGER);
        users.upsert("sv-wang", "supervisor-password", Role.SUPERVISOR);
        gateway = new MqttClient("tcp://127.0.0.1:" + hub.uplinkPort(), HubFixture.GATEWAY, new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setUserName(HubFixture.GATEWAY);
        o.setPassword(HubFixture.GATEWAY_SECRET.getBytes(StandardCharsets.UTF_8));
        gateway.connect(o);
    }

    @AfterAll
    void stop() throws Exception {
        gateway.disconnect();
        gateway.close();
        hub.close();
    }

    // ---- helpers

    private HttpRequest.Builder request(String path, String address) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.httpPort() + path))
                .header("X-Forwarded-For", address).timeout(Duration.ofSeconds(20));
    }

    private HttpResponse<String> login(String user, String password, String address, String proto) throws Exception {
        return http.send(request("/api/auth/login", address).header("Content-Type", "application/json")
                .header("X-Forwarded-Proto", proto)
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(Map.of("username", user, "password", password))))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A signed-in browser: its cookie and CSRF token. */
    private record Browser(String cookie, String csrf) {
    }

    private Browser signIn(String user, String password) throws Exception {
        HttpResponse<String> r = login(user, password, "192.0.2.10", "http");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        return new Browser(setCookie.substring(0, setCookie.indexOf(';')), json.readTree(r.body()).path("csrf_token").asText());
    }

    private HttpResponse<String> get(String path, Browser b) throws Exception {
        return http.send(request(path, "192.0.2.10").header("Cookie", b.cookie()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode getJson(String path, Browser b) throws Exception {
        HttpResponse<String> r = get(path, b);
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return json.readTree(r.body());
    }

    private HttpResponse<String> post(String path, Browser b, String csrf) throws Exception {
        HttpRequest.Builder req = request(path, "192.0.2.10").header("Cookie", b.cookie())
                .POST(HttpRequest.BodyPublishers.noBody());
        if (csrf != null) {
            req.header("X-CSRF-Token", csrf);
        }
        return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** One reading through the real uplink, as the edge agent sends it; returns once the hub acknowledged (stored). */
    private void uplink(String device, String type, String kind, String dataJson) throws Exception {
        long now = System.currentTimeMillis();
        String batch = "{\"v\":1,\"gateway\":\"" + HubFixture.GATEWAY + "\",\"batch\":\"" + UUID.randomUUID()
                + "\",\"readings\":[{\"device\":\"" + device + "\",\"type\":\"" + type + "\",\"kind\":\"" + kind
                + "\",\"rx\":" + now + ",\"ts\":" + now + ",\"seq\":" + (seq++) + ",\"data\":" + dataJson + "}]}";
        MqttMessage m = new MqttMessage(batch.getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        gateway.publish("uplink/v1/" + HubFixture.GATEWAY + "/batch", m);
    }

    /** An open event stream of a signed-in browser. */
    private EventStreamClient stream(Browser b, String query, String lastEventId) throws Exception {
        HttpRequest.Builder req = request("/api/events" + query, "192.0.2.10").header("Cookie", b.cookie())
                .timeout(Duration.ofMinutes(5)).GET();
        if (lastEventId != null) {
            req.header("Last-Event-ID", lastEventId);
        }
        return new EventStreamClient(http, req.build());
    }

    /** POSTs JSON with the session's CSRF token. */
    private HttpResponse<String> postJson(String path, Browser b, String body) throws Exception {
        return http.send(request(path, "192.0.2.10").header("Cookie", b.cookie()).header("X-CSRF-Token", b.csrf())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String field(List<String> event, String name) {
        return EventStreamClient.field(event, name);
    }

    // ---- sessions and CSRF

    @Test
    void signInSetsAStrictHttpOnlyCookieAndStateChangesNeedTheCsrfToken() throws Exception {
        HttpResponse<String> r = login(PM, PM_PASSWORD, "192.0.2.20", "http");
        assertThat(r.statusCode()).isEqualTo(200);
        String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        // Cookie attribute names are case-insensitive (RFC 6265); Netty writes "HTTPOnly".
        assertThat(cookie).startsWith("cg_session=").containsIgnoringCase("HttpOnly")
                .contains("SameSite=Strict", "Path=/", "Max-Age=43200").doesNotContain("Secure");
        JsonNode body = json.readTree(r.body());
        assertThat(body.path("role").asText()).isEqualTo("property_manager");
        Browser b = new Browser(cookie.substring(0, cookie.indexOf(';')), body.path("csrf_token").asText());
        assertThat(b.csrf()).hasSize(43);

        JsonNode session = getJson("/api/auth/session", b);
        assertThat(session.path("username").asText()).isEqualTo(PM);
        assertThat(session.path("csrf_token").asText()).isEqualTo(b.csrf());

        HttpResponse<String> noToken = post("/api/auth/logout", b, null);
        assertThat(noToken.statusCode()).isEqualTo(403);
        assertThat(json.readTree(noToken.body()).path("error").asText()).contains("X-CSRF-Token");
        assertThat(post("/api/auth/logout", b, b.csrf().substring(1) + "x").statusCode()).isEqualTo(403);
        assertThat(get("/api/auth/session", b).statusCode()).as("still signed in").isEqualTo(200);

        HttpResponse<String> out = post("/api/auth/logout", b, b.csrf());
        assertThat(out.statusCode()).isEqualTo(200);
        assertThat(out.headers().firstValue("Set-Cookie").orElseThrow()).contains("Max-Age=0");
        assertThat(get("/api/auth/session", b).statusCode()).isEqualTo(401);
        assertThat(get("/api/board", b).statusCode()).isEqualTo(401);
        assertThat(scrape()).containsPattern("hub_http_csrf_refused_total [2-9]");
    }

    @Test
    void overHttpsTheCookieIsSecure() throws Exception {
        HttpResponse<String> r = login(PM, PM_PASSWORD, "192.0.2.21", "https");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Set-Cookie").orElseThrow()).contains("Secure", "SameSite=Strict")
                .containsIgnoringCase("HttpOnly");
    }

    @Test
    void signInTakesJsonOnly() throws Exception {
        HttpResponse<String> form = http.send(request("/api/auth/login", "192.0.2.22")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=admin&password=x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(form.statusCode()).isEqualTo(415);
    }

    @Test
    void bearerTokenClientsAreNotAskedForCsrfTokens() throws Exception {
        HttpResponse<String> t = http.send(request("/api/auth/token", "192.0.2.23")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + PM + "\",\"password\":\"" + PM_PASSWORD + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        String token = json.readTree(t.body()).path("token").asText();
        HttpRequest.Builder logout = request("/api/auth/logout", "192.0.2.23").header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.noBody());
        assertThat(http.send(logout.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        HttpResponse<String> after = http.send(request("/api/board", "192.0.2.23").header("Authorization", "Bearer " + token)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(after.statusCode()).as("the token was revoked").isEqualTo(401);
    }

    @Test
    void supervisorsSeeNoIndividualIncidents() throws Exception {
        Browser b = signIn("sv-wang", "supervisor-password");
        assertThat(get("/api/board", b).statusCode()).isEqualTo(403);
        assertThat(get("/api/site", b).statusCode()).isEqualTo(403);
        assertThat(get("/api/auth/session", b).statusCode()).isEqualTo(200);
    }

    // ---- login limits

    @Test
    void repeatedFailuresLockTheUserNameThenTheAddress() throws Exception {
        Users users = new Users(hub.database().dataSource());
        users.upsert("pm-target", "the-right-password", Role.PROPERTY_MANAGER);
        for (int i = 0; i < 3; i++) {
            assertThat(login("pm-target", "guess-" + i, "198.51.100." + (i + 1), "http").statusCode()).isEqualTo(401);
        }
        HttpResponse<String> locked = login("pm-target", "the-right-password", "198.51.100.50", "http");
        assertThat(locked.statusCode()).as("even the right password, from anywhere").isEqualTo(429);
        assertThat(Long.parseLong(locked.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 900L);
        assertThat(json.readTree(locked.body()).path("error").asText()).contains("user name");

        // One address guessing across user names.
        for (int i = 0; i < 6; i++) {
            assertThat(login("nobody-" + i, "guess", "203.0.113.66", "http").statusCode()).isEqualTo(401);
        }
        HttpResponse<String> fromThere = login(PM, PM_PASSWORD, "203.0.113.66", "http");
        assertThat(fromThere.statusCode()).isEqualTo(429);
        assertThat(json.readTree(fromThere.body()).path("error").asText()).contains("address");
        assertThat(login(PM, PM_PASSWORD, "203.0.113.67", "http").statusCode()).isEqualTo(200);

        // API tokens share the limit: no way around it.
        HttpResponse<String> token = http.send(request("/api/auth/token", "203.0.113.66")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + PM + "\",\"password\":\"" + PM_PASSWORD + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(token.statusCode()).isEqualTo(429);

        assertThat(scrape()).containsPattern("hub_auth_login_refused_total\\{by=\"user\"} [1-9]")
                .containsPattern("hub_auth_login_refused_total\\{by=\"address\"} [1-9]");
    }

    // ---- live events, board, detail

    @Test
    void aNewFireIsPushedToOpenStreamsAndMissedEventsAreReplayed() throws Exception {
        Browser b = signIn(PM, PM_PASSWORD);
        JsonNode before = getJson("/api/board", b);
        String snapshot = before.path("last_event_id").asText();
        try (EventStreamClient stream = stream(b, "?last_event_id=" + snapshot, null)) {
            assertThat(stream.response.statusCode()).isEqualTo(200);
            assertThat(stream.response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
            assertThat(stream.sawLine(": keep-alive")).as("heartbeats").isTrue();

            uplink("smoke-b2-03", "smoke_detector", "event", "{\"event\":\"alarm\",\"level\":\"alarm\"}");
            List<String> event = stream.nextEvent();
            assertThat(field(event, "event")).isEqualTo("incident.opened");
            JsonNode row = json.readTree(field(event, "data"));
            assertThat(row.path("device_id").asText()).isEqualTo("smoke-b2-03");
            assertThat(row.path("severity").asText()).isEqualTo("critical");
            assertThat(row.path("building_name").asText()).isEqualTo("Building 2");
            assertThat(row.path("location").asText()).isEqualTo("3F stairwell");
            // The routing table dispatches it at once: an update follows (see the loop tests below).
            List<String> update = stream.nextEvent();
            assertThat(field(update, "event")).isEqualTo("incident.updated");
            assertThat(json.readTree(field(update, "data")).path("status").asText()).isEqualTo("dispatched");
            String firstId = field(update, "id");

            // The board now has it, and the detail its timeline.
            JsonNode board = getJson("/api/board", b);
            assertThat(board.path("open").findValuesAsText("device_id")).contains("smoke-b2-03");
            JsonNode detail = getJson("/api/incidents/" + row.path("id").asLong(), b);
            assertThat(detail.path("type").asText()).isEqualTo("FIRE");
            assertThat(detail.path("details").path("reading").path("event").asText()).isEqualTo("alarm");
            assertThat(detail.path("timeline").get(0).path("action").asText()).isEqualTo("opened");
            assertThat(detail.path("timeline").get(0).path("actor").asText()).isEqualTo("system");

            // A browser that was away while another fire opened catches up with Last-Event-ID.
            uplink("smoke-b3-04", "smoke_detector", "telemetry", "{\"smoke_obscuration_pct_m\": 14.5}");
            List<String> second = stream.nextEvent();
            assertThat(json.readTree(field(second, "data")).path("device_id").asText()).isEqualTo("smoke-b3-04");
            try (EventStreamClient resumed = stream(b, "", firstId)) {
                List<String> replayed = resumed.nextEvent();
                assertThat(field(replayed, "id")).isEqualTo(field(second, "id"));
            }
            try (EventStreamClient stale = stream(b, "?last_event_id=someotherhub-7", null)) {
                assertThat(field(stale.nextEvent(), "event")).isEqualTo("reset");
            }
        }
        assertThat(get("/api/incidents/999999", b).statusCode()).isEqualTo(404);
    }

    @Test
    void aStreamEndsWhenItsSessionEnds() throws Exception {
        Browser b = signIn(PM, PM_PASSWORD);
        try (EventStreamClient stream = stream(b, "", null)) {
            assertThat(stream.sawLine(": keep-alive")).isTrue();
            assertThat(post("/api/auth/logout", b, b.csrf()).statusCode()).isEqualTo(200);
            assertThat(stream.sawLine("event: signed-out")).isTrue();
            assertThat(stream.sawLine("<closed>")).isTrue();
        }
        HttpResponse<String> anonymous = http.send(request("/api/events", "192.0.2.10").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
    }

    // ---- the loop on the console: live updates, deadlines, actions, a grid worker's queue

    @Test
    void everyLoopChangeIsPushedWithTheNextDeadlineAndTheDetailSaysWhatTheCallerMayDo() throws Exception {
        Browser b = signIn(PM, PM_PASSWORD);
        try (EventStreamClient stream = stream(b, "?last_event_id=" + getJson("/api/board", b).path("last_event_id").asText(), null)) {
            uplink("smoke-b1-05", "smoke_detector", "event", "{\"event\":\"alarm\",\"level\":\"alarm\"}");
            JsonNode opened = stream.nextAbout("incident.opened", "smoke-b1-05", null);
            long id = opened.path("id").asLong();

            // The routing table dispatches it at once: an update, counting down to the acknowledge step.
            JsonNode dispatched = stream.nextAbout("incident.updated", "smoke-b1-05", "dispatched");
            assertThat(dispatched.path("id").asLong()).isEqualTo(id);
            assertThat(dispatched.path("department").asText()).isEqualTo("fire");
            assertThat(dispatched.path("grid").asText()).isEqualTo("G1");
            assertThat(dispatched.path("next_step").asText()).isEqualTo("acknowledge");
            assertThat(Duration.between(Instant.parse(dispatched.path("opened_at").asText()),
                    Instant.parse(dispatched.path("due_at").asText()))).as("critical: 5 min").isEqualTo(Duration.ofMinutes(5));
            JsonNode row = find(getJson("/api/board", b).path("open"), id);
            assertThat(row.path("next_step").asText()).isEqualTo("acknowledge");
            assertThat(row.path("due_at").asText()).isEqualTo(dispatched.path("due_at").asText());

            JsonNode detail = getJson("/api/incidents/" + id, b);
            assertThat(json.convertValue(detail.path("actions"), List.class)).containsExactly("dispatch", "acknowledge", "cancel");
            assertThat(json.convertValue(getJson("/api/board", b).path("role_actions"), List.class))
                    .containsExactly("dispatch", "acknowledge", "check-in", "resolve", "close", "reopen", "cancel");

            HttpResponse<String> early = postJson("/api/incidents/" + id + "/resolve", b, "{\"action_taken\": \"x\"}");
            assertThat(early.statusCode()).isEqualTo(409);
            assertThat(json.readTree(early.body()).path("error").asText()).contains("cannot resolve an incident that is dispatched");

            HttpResponse<String> ack = postJson("/api/incidents/" + id + "/acknowledge", b, "{}");
            assertThat(ack.statusCode()).as(ack.body()).isEqualTo(200);
            assertThat(json.convertValue(json.readTree(ack.body()).path("actions"), List.class))
                    .containsExactly("dispatch", "check-in", "resolve", "cancel");
            JsonNode acknowledged = stream.nextAbout("incident.updated", "smoke-b1-05", "acknowledged");
            assertThat(acknowledged.path("next_step").asText()).isEqualTo("on_site");

            assertThat(postJson("/api/incidents/" + id + "/resolve", b, "{\"action_taken\": \"detector cleaned\"}")
                    .statusCode()).isEqualTo(200);
            JsonNode resolved = stream.nextAbout("incident.updated", "smoke-b1-05", "resolved");
            assertThat(resolved.path("next_step").isNull()).as("every step met").isTrue();
            assertThat(postJson("/api/incidents/" + id + "/close", b, "{\"rating\": 5, \"comment\": \"quick\"}")
                    .statusCode()).isEqualTo(200);
            stream.nextAbout("incident.updated", "smoke-b1-05", "closed");
            assertThat(json.convertValue(getJson("/api/incidents/" + id, b).path("actions"), List.class))
                    .containsExactly("reopen");
        }
    }

    @Test
    void aGridWorkerSeesOnlyTheirQueueOnTheBoardAndOnTheFeed() throws Exception {
        Users users = new Users(hub.database().dataSource());
        users.upsert("gw-g2", "grid-worker-password", Role.GRID_WORKER);
        try (Connection c = hub.database().dataSource().getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE users SET grid = 'G2' WHERE username = 'gw-g2'");
        }
        Browser worker = signIn("gw-g2", "grid-worker-password");
        Browser pm = signIn(PM, PM_PASSWORD);
        try (EventStreamClient mine = stream(worker, "?last_event_id=" + getJson("/api/board", worker).path("last_event_id").asText(),
                null); EventStreamClient all = stream(pm, "", null)) {
            uplink("smoke-b1-04", "smoke_detector", "event", "{\"event\":\"alarm\",\"level\":\"alarm\"}");
            long elsewhere = all.nextAbout("incident.updated", "smoke-b1-04", "dispatched").path("id").asLong();
            uplink("smoke-b3-02", "smoke_detector", "event", "{\"event\":\"alarm\",\"level\":\"alarm\"}");
            JsonNode ours = mine.nextAbout("incident.updated", "smoke-b3-02", "dispatched");
            assertThat(ours.path("grid").asText()).isEqualTo("G2");

            // Everything the worker's stream carried before their incident's dispatch: nothing of grid G1.
            assertThat(mine.seen).noneMatch(line -> line.contains("smoke-b1-04"));
            assertThat(mine.seen).contains("data: {\"id\":" + elsewhere + "}");

            JsonNode board = getJson("/api/board", worker);
            assertThat(board.path("open").findValuesAsText("grid")).containsOnly("G2");
            assertThat(board.path("open").findValuesAsText("id")).contains(ours.path("id").asText())
                    .doesNotContain(String.valueOf(elsewhere));
            assertThat(json.convertValue(getJson("/api/incidents/" + ours.path("id").asLong(), worker).path("actions"),
                    List.class)).containsExactly("acknowledge", "cancel");
            assertThat(get("/api/incidents/" + elsewhere, worker).statusCode()).isEqualTo(404);
        }
    }

    // ---- site and telemetry

    @Test
    void theSitePlanHasEveryBuildingAndDeviceWithItsState() throws Exception {
        Browser b = signIn(PM, PM_PASSWORD);
        uplink("manhole-b3-02", "manhole", "telemetry",
                "{\"cover_open\":false,\"water_below_cover_cm\":80,\"battery_pct\":12,\"rssi_dbm\":-101}");
        uplink("door-b1-01", "door_access", "event",
                "{\"event\":\"access\",\"result\":\"granted\",\"method\":\"card\",\"subject\":\"psn1:abcdefghijklmnop\"}");

        JsonNode community = getJson("/api/site", b).path("communities").get(0);
        assertThat(community.path("id").asText()).isEqualTo("sunny-garden");
        assertThat(community.path("buildings")).hasSize(3);
        JsonNode b1 = community.path("buildings").get(0);
        assertThat(b1.path("x").asDouble()).isEqualTo(22.0);
        assertThat(b1.path("placed").asText()).isEqualTo("site_file");
        JsonNode devices = community.path("devices");
        assertThat(devices).hasSize(42);
        for (JsonNode d : devices) {
            assertThat(d.path("placed").asText()).isEqualTo("auto");
            assertThat(d.path("x").asDouble()).isBetween(0.0, 100.0);
        }
        JsonNode manhole = find(devices, "manhole-b3-02");
        assertThat(manhole.path("battery_pct").asDouble()).isEqualTo(12.0);
        assertThat(manhole.path("rssi_dbm").asDouble()).isEqualTo(-101.0);
        assertThat(manhole.path("state").asText()).isEqualTo("warning");
        assertThat(find(devices, "lamp-b2-04").path("state").asText()).isEqualTo("unknown");

        JsonNode door = getJson("/api/devices/door-b1-01", b);
        assertThat(door.path("last_reading").path("data").path("event").asText()).isEqualTo("access");
        assertThat(door.toString()).as("no personal identifier on a device page").doesNotContain("psn1:");
        assertThat(get("/api/devices/no-such-device", b).statusCode()).isEqualTo(404);
        JsonNode detail = getJson("/api/devices/manhole-b3-02", b);
        assertThat(json.convertValue(detail.path("fields"), List.class))
                .contains("water_below_cover_cm", "battery_pct", "cover_open");
    }

    @Test
    void seriesAreBucketedAveragesMinimaAndMaxima() throws Exception {
        Browser b = signIn(PM, PM_PASSWORD);
        Instant start = Instant.parse("2026-01-05T10:00:00Z");
        try (Connection c = hub.database().dataSource().getConnection(); Statement st = c.createStatement()) {
            // One reading a minute for a day: temp_c = minute of the hour, lamp_on for the first half hour.
            st.executeUpdate("""
                    INSERT INTO readings (time, received_at, gateway_id, device_id, device_type, kind, data)
                    SELECT t, t, 'gw-sunny-1', 'lamp-b1-04', 'lamp_post', 'telemetry',
                           jsonb_build_object('temp_c', extract(minute FROM t), 'lamp_on', extract(minute FROM t) < 30,
                                              'note', 'not a number')
                    FROM generate_series(TIMESTAMPTZ '2026-01-05 10:00:00+00', TIMESTAMPTZ '2026-01-06 09:59:00+00',
                                         interval '1 minute') AS t
                    """);
        }
        String base = "/api/devices/lamp-b1-04/series?from=" + start + "&to=" + start.plus(Duration.ofHours(24));
        JsonNode day = getJson(base + "&field=temp_c", b);
        assertThat(day.path("bucket_seconds").asLong()).isEqualTo(300);
        assertThat(day.path("points")).hasSize(288);
        JsonNode first = day.path("points").get(0);
        assertThat(first.path("t").asText()).isEqualTo("2026-01-05T10:00:00Z");
        assertThat(first.path("avg").asDouble()).isEqualTo(2.0);
        assertThat(first.path("min").asDouble()).isEqualTo(0.0);
        assertThat(first.path("max").asDouble()).isEqualTo(4.0);
        assertThat(first.path("n").asLong()).isEqualTo(5);

        JsonNode hourly = getJson("/api/devices/lamp-b1-04/series?field=lamp_on&from=" + start + "&to="
                + start.plus(Duration.ofDays(7)), b);
        assertThat(hourly.path("bucket_seconds").asLong()).isEqualTo(3600);
        assertThat(hourly.path("points").get(0).path("avg").asDouble()).as("on half of each hour").isEqualTo(0.5);

        assertThat(getJson(base + "&field=note", b).path("points")).as("text is not charted").isEmpty();
        assertThat(get(base + "&field=Temp;DROP", b).statusCode()).isEqualTo(400);
        assertThat(get("/api/devices/lamp-b1-04/series?field=temp_c&from=" + start.plusSeconds(60) + "&to=" + start, b)
                .statusCode()).isEqualTo(400);
        assertThat(get("/api/devices/nope/series?field=temp_c", b).statusCode()).isEqualTo(404);
    }

    private static JsonNode find(JsonNode rows, long id) {
        for (JsonNode r : rows) {
            if (r.path("id").asLong() == id) {
                return r;
            }
        }
        throw new AssertionError("no incident " + id + " in " + rows);
    }

    private static JsonNode find(JsonNode devices, String id) {
        for (JsonNode d : devices) {
            if (d.path("id").asText().equals(id)) {
                return d;
            }
        }
        throw new AssertionError("no device " + id);
    }

    private String scrape() {
        return hub.scrapeMetrics();
    }
}
