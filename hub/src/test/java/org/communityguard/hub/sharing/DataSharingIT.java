package org.communityguard.hub.sharing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.hub.scenario.LoopClient;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Data sharing with scoped API keys (docs/data-sharing.md), through the real API: a property
 * manager creates a key, another system uses it within its scopes and nowhere else, until it is
 * revoked; its rate limit; every use and every change in the audit log; only the key's hash at
 * rest; open-data exports and the shared incident view without personal data; /metrics behind a
 * key when {@code http.metrics-require-key} is on (it is, for this hub).
 */
@ExtendWith(RealServers.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DataSharingIT {

    /** Personal data seeded into the hub; none of it may leave through a key. */
    private static final String CALLER_NAME = "Grandma Zhao";
    private static final String CALLER_PHONE = "+8613800000009";
    private static final String REPORT_TEXT = "Smell of burning from flat 302 (Li Si)";
    private static final String REPORT_PLACE = "outside flat 302";
    private static final String RESIDENT_NAME = "Wang Wu";
    private static final String RESIDENT_PHONE = "+8613700000042";
    private static final String PSEUDONYM_DENIED = "psn-4be1f0c2a9d3";
    private static final String PSEUDONYM_GRANTED = "psn-91d27aa0c4e5";

    private final HttpClient http = HttpClient.newHttpClient();
    private Hub hub;
    private LoopClient api;
    private String admin;
    private String pm;
    private Instant seededHour;
    private long reportIncident;
    private long doorIncident;

    @BeforeAll
    void startHub(TimescaleDb timescale) throws Exception {
        hub = HubFixture.start(timescale.createDatabase(), Map.of("HUB_HTTP_METRICS_REQUIRE_KEY", "true",
                "HUB_TELEMETRY_ROLLUP_EVERY", "1s"));
        api = new LoopClient(hub);
        admin = api.admin();
        api.createUser(admin, "pm1", "property_manager", null, null, null, null);
        api.createUser(admin, "w1", "grid_worker", "G1", null, null, null);
        api.createUser(admin, "aud1", "auditor", null, null, null, null);
        pm = api.loginAs("pm1");
        seed();
    }

    @AfterAll
    void stopHub() {
        hub.close();
    }

    /**
     * A phone report (caller's name and phone, their words, a place), a registered resident, and
     * door-access readings with pseudonymous subjects in an hour that has ended, which the hub's
     * rollup turns into hourly aggregates; a door incident whose evidence names a subject.
     */
    private void seed() throws Exception {
        LoopClient.Answer phone = api.post(pm, "/api/reports/phone", "{\"caller_name\": \"" + CALLER_NAME + "\","
                + " \"caller_phone\": \"" + CALLER_PHONE + "\", \"category\": \"fire_hazard\", \"text\": \"" + REPORT_TEXT
                + "\", \"building\": \"B2\", \"location\": \"" + REPORT_PLACE + "\"}");
        assertThat(phone.status()).as(phone.json().toString()).isEqualTo(201);
        reportIncident = phone.json().path("incident_id").asLong();
        assertThat(api.post(pm, "/api/residents", "{\"name\": \"" + RESIDENT_NAME + "\", \"building\": \"B2\", \"phone\": \""
                + RESIDENT_PHONE + "\"}").status()).isEqualTo(201);

        // Two hours before the current hour: ended, and past the rollup's settling time, whenever this runs.
        seededHour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2));
        try (Connection c = hub.database().dataSource().getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO readings (time, received_at, gateway_id, device_id,"
                    + " device_type, kind, seq, data) VALUES (?, ?, ?, 'door-b2-01', 'door_access', ?, ?, ?::jsonb)")) {
                String[][] rows = {
                        {"event", "{\"event\": \"access\", \"result\": \"denied\", \"method\": \"card\", \"subject\": \""
                                + PSEUDONYM_DENIED + "\"}"},
                        {"event", "{\"event\": \"access\", \"result\": \"granted\", \"method\": \"card\", \"subject\": \""
                                + PSEUDONYM_GRANTED + "\"}"},
                        {"telemetry", "{\"door_open\": true, \"locked\": false, \"open_s\": 12}"},
                        {"telemetry", "{\"door_open\": false, \"locked\": true, \"open_s\": 0}"}};
                for (int i = 0; i < rows.length; i++) {
                    Timestamp at = Timestamp.from(seededHour.plus(Duration.ofMinutes(10 + i)));
                    ps.setTimestamp(1, at);
                    ps.setTimestamp(2, at);
                    ps.setString(3, HubFixture.GATEWAY);
                    ps.setString(4, rows[i][0]);
                    ps.setLong(5, i + 1);
                    ps.setString(6, rows[i][1]);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO incidents (type, severity, community_id, building_id,"
                    + " device_id, gateway_id, occurred_at, opened_at, summary, details) VALUES ('DOOR_FORCED', 'major',"
                    + " 'sunny-garden', 'B2', 'door-b2-01', ?, ?, ?, ?, ?::jsonb) RETURNING id")) {
                Timestamp at = Timestamp.from(seededHour.plus(Duration.ofMinutes(20)));
                ps.setString(1, HubFixture.GATEWAY);
                ps.setTimestamp(2, at);
                ps.setTimestamp(3, at);
                ps.setString(4, "Door forced after card " + PSEUDONYM_DENIED + " was denied");
                ps.setString(5, "{\"why\": \"forced_open event\", \"last_subject\": \"" + PSEUDONYM_DENIED + "\"}");
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    doorIncident = rs.getLong(1);
                }
            }
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> HubFixture.count(hub,
                "SELECT count(*) FROM readings_hourly WHERE device_id = 'door-b2-01'") == 1);
    }

    /** A key made by the property manager, as POST /api/keys answered it. */
    private JsonNode createKey(String name, String scopes, String more) throws Exception {
        LoopClient.Answer created = api.post(pm, "/api/keys", "{\"name\": \"" + name + "\", \"owner\": \"District fire brigade\","
                + " \"scopes\": " + scopes + more + "}");
        assertThat(created.status()).as(created.json().toString()).isEqualTo(201);
        return created.json();
    }

    private HttpResponse<String> withKey(String key, String path) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.httpPort() + path));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** The statuses of a key's uses in the audit log, oldest first. */
    private List<Integer> auditedUses(String id) throws Exception {
        JsonNode entries = api.get(admin, "/api/audit?actor=api_key:" + id + "&action=api_key.use").json().path("entries");
        List<Integer> statuses = new ArrayList<>();
        for (JsonNode e : entries) {
            statuses.add(e.path("details").path("status").asInt());
        }
        Collections.reverse(statuses);
        return statuses;
    }

    @Test
    void aKeyReadsWithinItsScopesOnlyUntilRevoked() throws Exception {
        JsonNode created = createKey("Fire brigade dispatch", "[\"incidents:read\"]", "");
        String id = created.path("id").asText();
        String key = created.path("key").asText();
        assertThat(key).startsWith("cgk_" + id + "_");
        assertThat(created.path("scopes").get(0).asText()).isEqualTo("incidents:read");
        assertThat(created.path("created_by").asText()).isEqualTo("pm1");

        // Within its scope.
        HttpResponse<String> list = withKey(key, "/api/shared/incidents");
        assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
        assertThat(api.json().readTree(list.body()).path("incidents").findValuesAsText("type")).contains("DOOR_FORCED");
        assertThat(withKey(key, "/api/shared/incidents/" + doorIncident).statusCode()).isEqualTo(200);
        // Outside it: other data, and what only people may do (accounts, sessions, settings, keys).
        HttpResponse<String> openData = withKey(key, "/api/open/incidents");
        assertThat(openData.statusCode()).isEqualTo(403);
        assertThat(api.json().readTree(openData.body()).path("error").asText()).contains("opendata:read");
        for (String path : List.of("/api/users", "/api/auth/session", "/api/routing", "/api/keys", "/api/incidents")) {
            assertThat(withKey(key, path).statusCode()).as(path).isEqualTo(403);
        }
        assertThat(api.get(pm, "/api/keys").json().path("keys").findValuesAsText("id")).contains(id);
        assertThat(api.get(pm, "/api/keys").json().path("keys").findValuesAsText("key")).isEmpty();

        LoopClient.Answer revoked = api.send("DELETE", "/api/keys/" + id, pm, null);
        assertThat(revoked.status()).as(revoked.json().toString()).isEqualTo(200);
        assertThat(revoked.json().path("revoked_by").asText()).isEqualTo("pm1");
        HttpResponse<String> after = withKey(key, "/api/shared/incidents");
        assertThat(after.statusCode()).isEqualTo(401);
        assertThat(api.json().readTree(after.body()).path("error").asText()).contains("revoked");
        assertThat(api.send("DELETE", "/api/keys/" + id, pm, null).status()).as("revoked once").isEqualTo(409);

        // Every use in the audit log, with its answer; the creation and the revocation by who did them.
        assertThat(auditedUses(id)).containsExactly(200, 200, 403, 403, 403, 403, 403, 403, 401);
        JsonNode use = api.get(admin, "/api/audit?actor=api_key:" + id + "&action=api_key.use&limit=1000").json()
                .path("entries");
        assertThat(use.findValuesAsText("subject_id")).contains("GET /api/shared/incidents", "GET /api/shared/incidents/{id}",
                "GET /api/users");
        assertThat(use.get(use.size() - 2).path("details").path("path").asText())
                .isEqualTo("/api/shared/incidents/" + doorIncident);
        JsonNode changes = api.get(admin, "/api/audit?actor=pm1").json().path("entries");
        assertThat(changes.findParents("action").stream().filter(e -> id.equals(e.path("subject_id").asText()))
                .map(e -> e.path("action").asText()).toList()).containsExactly("api_key.revoke", "api_key.create");
        assertThat(api.get(pm, "/api/keys").json().path("keys").findParents("id").stream()
                .filter(k -> k.path("id").asText().equals(id)).findFirst().orElseThrow().path("last_used_at").isNull())
                .isFalse();
    }

    @Test
    void anExpiredOrForgedKeyIsRefused() throws Exception {
        JsonNode created = createKey("Street office", "[\"aggregates:read\"]", ", \"expires_at\": \"2099-01-01T00:00:00Z\"");
        String id = created.path("id").asText();
        String key = created.path("key").asText();
        assertThat(withKey(key, "/api/supervision").statusCode()).isEqualTo(200);
        try (Connection c = hub.database().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE api_keys SET expires_at = now() - interval '1 minute' WHERE id = ?")) {
            ps.setString(1, id);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        HttpResponse<String> expired = withKey(key, "/api/supervision");
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(api.json().readTree(expired.body()).path("error").asText()).contains("expired");

        // The right id with another secret, a key of the right shape nobody made, and a mangled one.
        String forged = key.substring(0, key.length() - 4) + (key.endsWith("AAAA") ? "BBBB" : "AAAA");
        for (String wrong : List.of(forged, "cgk_0123456789_" + "x".repeat(43), "cgk_nonsense")) {
            assertThat(withKey(wrong, "/api/supervision").statusCode()).as(wrong).isEqualTo(401);
        }
        assertThat(auditedUses(id)).as("the forged secret is not a use of the key").containsExactly(200, 401);

        // Refused at creation: no scope, an unknown scope, a past expiry, and by whom.
        for (String body : List.of("{\"name\": \"x\", \"owner\": \"y\", \"scopes\": []}",
                "{\"name\": \"x\", \"owner\": \"y\", \"scopes\": [\"users:write\"]}",
                "{\"name\": \"x\", \"owner\": \"y\", \"scopes\": [\"metrics:read\"], \"expires_at\": \"2001-01-01T00:00:00Z\"}",
                "{\"name\": \"x\", \"owner\": \"y\", \"scopes\": [\"metrics:read\"], \"rate_per_minute\": 0}")) {
            assertThat(api.post(pm, "/api/keys", body).status()).as(body).isEqualTo(400);
        }
        String ok = "{\"name\": \"x\", \"owner\": \"y\", \"scopes\": [\"metrics:read\"]}";
        assertThat(api.post(api.loginAs("w1"), "/api/keys", ok).status()).isEqualTo(403);
        assertThat(api.post(api.loginAs("aud1"), "/api/keys", ok).status()).isEqualTo(403);
        assertThat(api.get(api.loginAs("aud1"), "/api/keys").status()).as("auditors see which keys exist").isEqualTo(200);
        assertThat(api.post(admin, "/api/keys", ok).status()).isEqualTo(201);
    }

    @Test
    void aKeyOverItsRateIsToldWhenToComeBack() throws Exception {
        JsonNode created = createKey("Open data portal", "[\"opendata:read\"]", ", \"rate_per_minute\": 2");
        String id = created.path("id").asText();
        String key = created.path("key").asText();
        assertThat(created.path("rate_per_minute").asInt()).isEqualTo(2);
        assertThat(withKey(key, "/api/open/incidents").statusCode()).isEqualTo(200);
        assertThat(withKey(key, "/api/open/incidents?format=csv").statusCode()).isEqualTo(200);
        HttpResponse<String> third = withKey(key, "/api/open/incidents");
        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(third.headers().firstValue("Retry-After")).get().satisfies(s -> assertThat(Long.parseLong(s)).isBetween(1L, 30L));
        // Another key has its own bucket.
        String other = createKey("Second portal", "[\"opendata:read\"]", ", \"rate_per_minute\": 2").path("key").asText();
        assertThat(withKey(other, "/api/open/incidents").statusCode()).isEqualTo(200);

        assertThat(auditedUses(id)).containsExactly(200, 200, 429);
        assertThat(hub.scrapeMetrics()).contains("hub_auth_key_rate_limited_total{key=\"" + id + "\"} 1.0")
                .doesNotContain(key);
    }

    @Test
    void theKeyIsStoredOnlyAsItsHash() throws Exception {
        JsonNode created = createKey("Hash check", "[\"incidents:read\", \"aggregates:read\"]", "");
        String id = created.path("id").asText();
        String key = created.path("key").asText();
        String secret = key.substring(("cgk_" + id + "_").length());
        assertThat(secret).hasSizeGreaterThanOrEqualTo(43);
        assertThat(withKey(key, "/api/shared/incidents?secret_in_query=" + key).statusCode()).isEqualTo(200);

        try (Connection c = hub.database().dataSource().getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT secret_sha256 FROM api_keys WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getBytes(1)).isEqualTo(MessageDigest.getInstance("SHA-256")
                            .digest(key.getBytes(StandardCharsets.UTF_8)));
                }
            }
            // Every row of every table, as text: the secret is in none, not even the audit log of its use.
            List<String> tables = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables"
                            + " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            assertThat(tables).contains("public.api_keys", "public.audit_log");
            for (String table : tables) {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                        "SELECT count(*) FROM " + table + " t WHERE strpos(t::text, '" + secret + "') > 0"
                                + " OR strpos(t::text, '" + HexFormat.of().formatHex(secret.getBytes(StandardCharsets.UTF_8)) + "') > 0")) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("rows of " + table + " holding the secret").isZero();
                }
            }
        }
    }

    @Test
    void openDataAndSharedIncidentsCarryNoPersonalData() throws Exception {
        String key = createKey("Everything readable", "[\"incidents:read\", \"opendata:read\", \"aggregates:read\"]", "")
                .path("key").asText();
        String from = seededHour.minus(Duration.ofHours(1)).toString();
        String to = Instant.now().plus(Duration.ofMinutes(1)).toString();
        List<String> personal = List.of(CALLER_NAME, CALLER_PHONE, REPORT_TEXT, REPORT_PLACE, "flat 302", RESIDENT_NAME,
                RESIDENT_PHONE, PSEUDONYM_DENIED, PSEUDONYM_GRANTED, "psn-", "pm1");

        HttpResponse<String> incidentsJson = withKey(key, "/api/open/incidents?from=" + from + "&to=" + to + "&format=json");
        assertThat(incidentsJson.statusCode()).as(incidentsJson.body()).isEqualTo(200);
        JsonNode incidents = api.json().readTree(incidentsJson.body()).path("incidents");
        assertThat(incidents.findValuesAsText("id")).contains(Long.toString(reportIncident), Long.toString(doorIncident));
        JsonNode report = incidents.findParents("id").stream()
                .filter(i -> i.path("id").asLong() == reportIncident).findFirst().orElseThrow();
        assertThat(report.path("type").asText()).isEqualTo("REPORT_FIRE_HAZARD");
        assertThat(report.path("building_id").asText()).isEqualTo("B2");
        assertThat(report.path("grid").asText()).isEqualTo("G1");
        assertThat(report.has("opened_at")).isTrue();
        List<String> fields = new ArrayList<>();
        report.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("id", "type", "severity", "status", "community_id", "building_id", "grid",
                "opened_at", "acknowledged_at", "resolved_at", "closed_at");

        HttpResponse<String> incidentsCsv = withKey(key, "/api/open/incidents?from=" + from + "&to=" + to + "&format=csv");
        assertThat(incidentsCsv.statusCode()).isEqualTo(200);
        assertThat(incidentsCsv.headers().firstValue("Content-Type")).get().asString().startsWith("text/csv");
        assertThat(incidentsCsv.body()).startsWith("id,type,severity,status,community_id,building_id,grid,opened_at,"
                + "acknowledged_at,resolved_at,closed_at\r\n").contains(reportIncident + ",REPORT_FIRE_HAZARD,major,");

        HttpResponse<String> aggregatesJson = withKey(key, "/api/open/aggregates?from=" + from + "&to=" + to
                + "&device_type=door_access");
        assertThat(aggregatesJson.statusCode()).as(aggregatesJson.body()).isEqualTo(200);
        JsonNode rows = api.json().readTree(aggregatesJson.body()).path("rows");
        JsonNode openS = rows.findParents("field").stream().filter(r -> r.path("field").asText().equals("open_s"))
                .findFirst().orElseThrow();
        assertThat(openS.path("hour").asText()).isEqualTo(seededHour.toString());
        assertThat(openS.path("building_id").asText()).isEqualTo("B2");
        assertThat(openS.path("devices").asInt()).isEqualTo(1);
        assertThat(openS.path("readings").asInt()).isEqualTo(2);
        assertThat(openS.path("mean").asDouble()).isEqualTo(6.0);
        assertThat(openS.path("max").asDouble()).isEqualTo(12.0);
        assertThat(rows.findValuesAsText("field")).containsOnly("door_open", "locked", "open_s");
        HttpResponse<String> aggregatesCsv = withKey(key, "/api/open/aggregates?from=" + from + "&to=" + to
                + "&device_type=door_access&field=open_s&format=csv");
        assertThat(aggregatesCsv.body()).startsWith("hour,community_id,building_id,device_type,field,devices,readings,mean,min,max\r\n")
                .contains(seededHour + ",sunny-garden,B2,door_access,open_s,1,2,6,0,12\r\n");

        HttpResponse<String> shared = withKey(key, "/api/shared/incidents");
        HttpResponse<String> sharedReport = withKey(key, "/api/shared/incidents/" + reportIncident);
        HttpResponse<String> sharedDoor = withKey(key, "/api/shared/incidents/" + doorIncident);
        assertThat(sharedDoor.statusCode()).isEqualTo(200);
        assertThat(api.json().readTree(sharedDoor.body()).path("location").asText()).isEqualTo("main entrance");
        assertThat(api.json().readTree(sharedReport.body()).path("timeline").findValuesAsText("action")).contains("opened");

        for (HttpResponse<String> r : List.of(incidentsJson, incidentsCsv, aggregatesJson, aggregatesCsv, shared, sharedReport,
                sharedDoor)) {
            assertThat(r.statusCode()).isEqualTo(200);
            for (String p : personal) {
                assertThat(r.body()).as(r.uri() + " carries no '" + p + "'").doesNotContain(p);
            }
        }
        assertThat(withKey(key, "/api/open/aggregates?field=subject").statusCode()).isEqualTo(400);
        assertThat(withKey(key, "/api/open/incidents?format=xml").statusCode()).isEqualTo(400);
    }

    @Test
    void metricsNeedAMetricsKeyWhenTheSettingIsOn() throws Exception {
        assertThat(withKey(null, "/metrics").statusCode()).isEqualTo(401);
        String other = createKey("No metrics", "[\"incidents:read\"]", "").path("key").asText();
        assertThat(withKey(other, "/metrics").statusCode()).isEqualTo(403);
        String metrics = createKey("Prometheus", "[\"metrics:read\"]", "").path("key").asText();
        HttpResponse<String> scrape = withKey(metrics, "/metrics");
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body()).contains("hub_readings_stored_total");
        assertThat(withKey(metrics, "/api/shared/incidents").statusCode()).isEqualTo(403);
        assertThat(withKey(null, "/api/health").statusCode()).as("health stays public").isEqualTo(200);
    }
}
