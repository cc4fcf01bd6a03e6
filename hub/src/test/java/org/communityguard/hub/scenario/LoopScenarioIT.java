package org.communityguard.hub.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 * The closed loop through the API, as the people in it see it: a smoke alarm raised over the
 * uplink is dispatched per the routing table, acknowledged, checked in, resolved, closed with
 * a rating, reopened and cancelled as a false alarm; resident and phone reports enter the same
 * loop; who sees what; supervision figures; errors as JSON. A real hub on free ports
 * against TimescaleDB, a real HTTP client, a real MQTT 5 gateway client.
 */
@ExtendWith(RealServers.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoopScenarioIT {

    private Hub hub;
    private LoopClient api;
    private String admin;
    private String pm;
    private String worker;
    private String otherGridWorker;
    private String electrician;

    @BeforeAll
    void startHub(TimescaleDb timescale) throws Exception {
        hub = HubFixture.start(timescale.createDatabase(), Map.of("HUB_LOOP_POLL_INTERVAL", "200ms"));
        api = new LoopClient(hub);
        admin = api.admin();
        api.createUser(admin, "pm1", "property_manager", null, null, null, null);
        api.createUser(admin, "w1", "grid_worker", "G1", null, null, null);
        api.createUser(admin, "w2", "grid_worker", "G2", null, null, null);
        api.createUser(admin, "elec1", "grid_worker", null, "electrical", null, null);
        api.createUser(admin, "sup1", "supervisor", null, null, null, null);
        api.createUser(admin, "aud1", "auditor", null, null, null, null);
        pm = api.loginAs("pm1");
        worker = api.loginAs("w1");
        otherGridWorker = api.loginAs("w2");
        electrician = api.loginAs("elec1");
        assertThat(api.put(pm, "/api/routing/duty/G1/fire", "{\"username\": \"w1\"}").status()).isEqualTo(200);
        assertThat(api.put(pm, "/api/routing/duty/*/electrical", "{\"username\": \"elec1\"}").status()).isEqualTo(200);
        assertThat(api.put(pm, "/api/routing/duty/*/municipal", "{\"username\": \"w2\"}").status()).isEqualTo(200);
    }

    @AfterAll
    void stopHub() {
        hub.close();
    }

    private static List<String> actions(JsonNode incident) {
        List<String> out = new ArrayList<>();
        incident.path("timeline").forEach(e -> out.add(e.path("action").asText() + ":" + e.path("actor").asText()));
        return out;
    }

    @Test
    void fullLoopFromOpenToClosedWithRatingThenReopenedAndCancelledAsFalseAlarm() throws Exception {
        long id = api.dispatchedFireAt(pm, "smoke-b1-01");
        String path = "/api/incidents/" + id;

        // The property manager sees where it went: building B1 is in grid G1, FIRE goes to the fire contact on duty.
        JsonNode incident = api.get(pm, path).json();
        assertThat(incident.path("status").asText()).isEqualTo("dispatched");
        assertThat(incident.path("grid").asText()).isEqualTo("G1");
        assertThat(incident.path("department").asText()).isEqualTo("fire");
        assertThat(incident.path("responder").asText()).isEqualTo("w1");
        assertThat(actions(incident)).containsExactly("opened:system", "dispatched:system");
        assertThat(incident.path("deadlines")).hasSize(3);
        assertThat(incident.path("deadlines").get(0).path("step").asText()).isEqualTo("acknowledge");

        // A worker of another grid does not see it, let alone act on it.
        assertThat(api.get(otherGridWorker, path).status()).isEqualTo(404);
        assertThat(api.post(otherGridWorker, path + "/acknowledge", null).status()).isEqualTo(404);

        LoopClient.Answer early = api.post(worker, path + "/check-in", null);
        assertThat(early.status()).isEqualTo(409);
        assertThat(early.error()).isEqualTo("cannot check-in an incident that is dispatched; allowed when it is acknowledged");

        assertThat(api.post(worker, path + "/acknowledge", "{\"note\": \"on my way\"}").json().path("status").asText())
                .isEqualTo("acknowledged");
        assertThat(api.post(worker, path + "/check-in", null).json().path("status").asText()).isEqualTo("on_site");
        LoopClient.Answer noAction = api.post(worker, path + "/resolve", "{}");
        assertThat(noAction.status()).isEqualTo(400);
        assertThat(noAction.error()).contains("'action_taken' is required");
        assertThat(api.post(worker, path + "/resolve", "{\"action_taken\": \"burnt toast on 1F; detector reset\"}")
                .json().path("status").asText()).isEqualTo("resolved");
        assertThat(api.post(pm, path + "/close", "{\"rating\": 6}").status()).isEqualTo(400);
        assertThat(api.post(worker, path + "/close", "{\"rating\": 4}").status()).as("a grid worker may not rate").isEqualTo(403);
        JsonNode closed = api.post(pm, path + "/close", "{\"rating\": 4, \"comment\": \"quick response\"}").json();
        assertThat(closed.path("status").asText()).isEqualTo("closed");
        assertThat(closed.path("deadlines").findValues("met_at")).allSatisfy(v -> assertThat(v.isNull()).isFalse());

        LoopClient.Answer afterClose = api.post(pm, path + "/acknowledge", null);
        assertThat(afterClose.status()).isEqualTo(409);
        assertThat(afterClose.error()).contains("that is closed");

        // Reopened: back to open, and the dispatcher routes it again at once.
        assertThat(api.post(pm, path + "/reopen", "{}").status()).isEqualTo(400);
        assertThat(api.post(pm, path + "/reopen", "{\"reason\": \"smoke again\"}").status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get(pm, path).json().path("status").asText().equals("dispatched"));

        // On site it turns out to be a test by the maintenance company: a false alarm.
        assertThat(api.post(worker, path + "/acknowledge", null).status()).isEqualTo(200);
        JsonNode cancelled = api.post(worker, path + "/cancel", "{\"reason\": \"detector test by maintenance\"}").json();
        assertThat(cancelled.path("status").asText()).isEqualTo("cancelled");
        assertThat(api.post(pm, path + "/cancel", "{\"reason\": \"again\"}").status()).isEqualTo(409);
        assertThat(api.post(pm, path + "/reopen", "{\"reason\": \"x\"}").status()).isEqualTo(409);
        assertThat(api.get(pm, "/api/incidents?open=true").json().path("incidents").findValuesAsText("id"))
                .doesNotContain(Long.toString(id));
        assertThat(api.get(pm, "/api/incidents?open=false").json().path("incidents").findValuesAsText("id"))
                .contains(Long.toString(id));

        assertThat(actions(cancelled)).containsExactly("opened:system", "dispatched:system", "acknowledged:w1",
                "checked_in:w1", "resolved:w1", "closed:pm1", "reopened:pm1", "dispatched:system", "acknowledged:w1",
                "cancelled:w1");
        JsonNode closedEntry = cancelled.path("timeline").get(5).path("details");
        assertThat(closedEntry.path("rating").asInt()).isEqualTo(4);
        assertThat(closedEntry.path("comment").asText()).isEqualTo("quick response");
        assertThat(cancelled.path("timeline").get(9).path("details").path("reason").asText())
                .isEqualTo("detector test by maintenance");

        // Every action is in the audit log, by the person who did it.
        JsonNode audit = api.get(api.loginAs("aud1"), "/api/audit?actor=w1&action=incident.cancel").json();
        assertThat(audit.path("entries")).hasSize(1);
        assertThat(audit.path("entries").get(0).path("subject_id").asText()).isEqualTo(Long.toString(id));
    }

    @Test
    void twoPeopleAcknowledgingAtOnceGetOneSuccessAndOneConflict() throws Exception {
        long id = api.dispatchedFireAt(pm, "smoke-b1-02");
        String path = "/api/incidents/" + id + "/acknowledge";
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            Future<Integer> a = two.submit(() -> {
                start.await();
                return api.post(worker, path, null).status();
            });
            Future<Integer> b = two.submit(() -> {
                start.await();
                return api.post(pm, path, null).status();
            });
            assertThat(List.of(a.get(), b.get())).containsExactlyInAnyOrder(200, 409);
        } finally {
            two.shutdownNow();
        }
        assertThat(api.get(pm, "/api/incidents/" + id).json().path("timeline").findValuesAsText("action"))
                .containsOnlyOnce("acknowledged");
    }

    @Test
    void residentAndPhoneReportsEnterTheSameLoop() throws Exception {
        JsonNode resident = api.post(worker, "/api/residents", "{\"name\": \"Wang Fang\", \"building\": \"B1\","
                + " \"phone\": \"+8613800000001\", \"username\": \"wangfang\", \"password\": \"resident-password\"}").json();
        assertThat(resident.path("notify_by").asText()).isEqualTo("sms");
        api.post(worker, "/api/residents", "{\"name\": \"Li Lei\", \"building\": \"B3\", \"username\": \"lilei\","
                + " \"password\": \"resident-password\"}");
        String wang = api.login("wangfang", "resident-password");
        String li = api.login("lilei", "resident-password");

        // A photo that is HTML whatever its name says is refused; a real PNG is kept.
        LoopClient.Answer fake = api.multipart(wang, "/api/reports", Map.of("category", "lighting", "text", "dark"),
                "lamp.jpg", "<html><script>alert(1)</script></html>".getBytes());
        assertThat(fake.status()).isEqualTo(400);
        assertThat(fake.error()).contains("JPEG, PNG or WebP");
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R', 1, 2, 3};
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("category", "lighting");
        fields.put("text", "The stairwell light on 3F has been out for two days");
        fields.put("location", "3F stairwell");
        LoopClient.Answer sent = api.multipart(wang, "/api/reports", fields, "IMG_0001.jpg", png);
        assertThat(sent.status()).as(sent.json().toString()).isEqualTo(201);
        assertThat(sent.json().path("type").asText()).isEqualTo("REPORT_LIGHTING");
        assertThat(sent.json().path("photo").asText()).isEqualTo("image/png");
        long id = sent.json().path("incident_id").asLong();
        String path = "/api/incidents/" + id;

        // Dispatched like a sensor incident: REPORT_LIGHTING goes to the electricians.
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get(pm, path).json().path("status").asText().equals("dispatched"));
        JsonNode seen = api.get(pm, path).json();
        assertThat(seen.path("department").asText()).isEqualTo("electrical");
        assertThat(seen.path("grid").asText()).isEqualTo("G1");
        assertThat(seen.path("responder").asText()).isEqualTo("elec1");
        assertThat(actions(seen)).containsExactly("opened:wangfang", "dispatched:system");
        assertThat(seen.path("report").path("reporter").path("name").asText()).isEqualTo("Wang Fang");
        String photoUrl = seen.path("report").path("photo_url").asText();

        // The photo goes back with its checked type, never sniffed; only to staff and the reporter.
        LoopClient.Answer photo = api.get(pm, photoUrl);
        assertThat(photo.status()).isEqualTo(200);
        assertThat(photo.raw().headers().firstValue("Content-Type")).contains("image/png");
        assertThat(photo.raw().headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(photo.raw().body()).isEqualTo(png);
        assertThat(api.get(wang, photoUrl).status()).isEqualTo(200);
        assertThat(api.get(li, photoUrl).status()).isEqualTo(404);
        assertThat(api.get(api.loginAs("sup1"), photoUrl).status()).isEqualTo(403);

        // Residents see their own reports only; supervisors do not see who reported.
        assertThat(api.get(li, path).status()).isEqualTo(404);
        assertThat(api.get(li, "/api/incidents").json().path("incidents")).isEmpty();
        assertThat(api.get(wang, "/api/incidents").json().path("incidents").findValuesAsText("id"))
                .containsExactly(Long.toString(id));
        assertThat(api.get(api.loginAs("sup1"), path).json().path("report").path("reporter").isNull()).isTrue();

        // The electrician handles it; the resident rates it.
        assertThat(api.post(electrician, path + "/acknowledge", null).status()).isEqualTo(200);
        assertThat(api.post(electrician, path + "/resolve", "{\"action_taken\": \"replaced the lamp\"}").status()).isEqualTo(200);
        assertThat(api.post(wang, path + "/acknowledge", null).status()).isEqualTo(403);
        JsonNode rated = api.post(wang, path + "/close", "{\"rating\": 5, \"comment\": \"thank you\"}").json();
        assertThat(rated.path("status").asText()).isEqualTo("closed");
        assertThat(actions(rated)).endsWith("closed:wangfang");

        // An elderly caller without a smartphone: the grid worker enters the report.
        LoopClient.Answer phone = api.post(worker, "/api/reports/phone", "{\"caller_name\": \"Grandma Zhao\","
                + " \"caller_phone\": \"+8613800000009\", \"category\": \"manhole\", \"text\": \"cover rocks when cars pass\","
                + " \"building\": \"B2\", \"location\": \"road outside B2\"}");
        assertThat(phone.status()).as(phone.json().toString()).isEqualTo(201);
        String phonePath = "/api/incidents/" + phone.json().path("incident_id").asLong();
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get(pm, phonePath).json().path("status").asText().equals("dispatched"));
        JsonNode byPhone = api.get(pm, phonePath).json();
        assertThat(byPhone.path("type").asText()).isEqualTo("REPORT_MANHOLE");
        assertThat(byPhone.path("department").asText()).isEqualTo("municipal");
        assertThat(byPhone.path("report").path("channel").asText()).isEqualTo("phone");
        assertThat(byPhone.path("report").path("entered_by").asText()).isEqualTo("w1");
        assertThat(byPhone.path("timeline").get(0).path("details").path("on_behalf_of").asText()).isEqualTo("caller");
        assertThat(api.post(worker, "/api/reports/phone", "{\"category\": \"manhole\", \"text\": \"x\", \"building\": \"B2\"}")
                .error()).contains("'caller_name'");

        // Reading who reported is audited.
        JsonNode reads = api.get(admin, "/api/audit?actor=pm1&action=personal_data.read").json().path("entries");
        assertThat(reads.findValuesAsText("subject_type")).contains("report", "report_photo");
    }

    @Test
    void supervisionIsComputedFromTheTimeline() throws Exception {
        // Three incidents in a day of 2020 no other test touches, with a timeline written as the loop would.
        try (Connection c = hub.database().dataSource().getConnection(); Statement st = c.createStatement()) {
            long a = incident(c, "2020-03-01 08:00:00+00");
            long b = incident(c, "2020-03-01 09:00:00+00");
            long d = incident(c, "2020-03-01 10:00:00+00");
            timeline(c, a, "2020-03-01 08:00:00+00", "opened", "{}");
            timeline(c, a, "2020-03-01 08:00:01+00", "dispatched", "{\"grid\": \"G1\", \"department\": \"fire\"}");
            timeline(c, a, "2020-03-01 08:01:00+00", "acknowledged", "{}");
            timeline(c, a, "2020-03-01 08:10:00+00", "resolved", "{}");
            timeline(c, a, "2020-03-01 08:20:00+00", "closed", "{\"rating\": 4}");
            timeline(c, b, "2020-03-01 09:00:00+00", "opened", "{}");
            timeline(c, b, "2020-03-01 09:00:01+00", "dispatched", "{\"grid\": \"G1\", \"department\": \"fire\"}");
            timeline(c, b, "2020-03-01 09:05:00+00", "escalated", "{\"step\": \"acknowledge\", \"level\": 1}");
            timeline(c, b, "2020-03-01 09:07:00+00", "acknowledged", "{}");
            timeline(c, b, "2020-03-01 09:30:00+00", "resolved", "{}");
            timeline(c, b, "2020-03-01 09:40:00+00", "closed", "{\"rating\": 2}");
            timeline(c, b, "2020-03-01 09:50:00+00", "reopened", "{}");
            timeline(c, d, "2020-03-01 10:00:00+00", "opened", "{}");
            timeline(c, d, "2020-03-01 10:00:01+00", "dispatched", "{\"grid\": \"G2\", \"department\": \"security\"}");
            st.execute("UPDATE incidents SET status = 'cancelled' WHERE id = " + d);
        }

        JsonNode byGrid = api.get(api.loginAs("sup1"), "/api/supervision?from=2020-03-01&to=2020-03-02&by=grid").json();
        JsonNode g1 = byGrid.path("rows").get(0);
        assertThat(g1.path("unit").asText()).isEqualTo("G1");
        assertThat(g1.path("incidents").asInt()).isEqualTo(2);
        assertThat(g1.path("mean_acknowledge_s").asDouble()).isEqualTo(240.0);   // 60 s and 420 s
        assertThat(g1.path("p90_acknowledge_s").asDouble()).isEqualTo(384.0);    // 60 + 0.9 * 360
        assertThat(g1.path("mean_resolve_s").asDouble()).isEqualTo(1200.0);      // 600 s and 1800 s
        assertThat(g1.path("sla_compliance_pct").asDouble()).isEqualTo(50.0);
        assertThat(g1.path("reopen_rate_pct").asDouble()).isEqualTo(50.0);
        assertThat(g1.path("mean_rating").asDouble()).isEqualTo(3.0);
        JsonNode g2 = byGrid.path("rows").get(1);
        assertThat(g2.path("unit").asText()).isEqualTo("G2");
        assertThat(g2.path("false_alarms").asInt()).isEqualTo(1);
        assertThat(g2.path("sla_compliance_pct").isNull()).isTrue();
        assertThat(byGrid.path("total").path("incidents").asInt()).isEqualTo(3);

        JsonNode byDepartment = api.get(admin, "/api/supervision?from=2020-03-01&to=2020-03-02&by=department").json();
        assertThat(byDepartment.path("rows").findValuesAsText("unit")).containsExactly("fire", "security");
        assertThat(api.get(admin, "/api/supervision?by=street").status()).isEqualTo(400);
        assertThat(api.get(worker, "/api/supervision").status()).isEqualTo(403);
    }

    @Test
    void slasAndRoutingAreConfigurableAndChecked() throws Exception {
        JsonNode slas = api.get(pm, "/api/slas").json().path("policies");
        assertThat(slas.findValuesAsText("severity")).containsExactly("critical", "major", "minor", "info");
        assertThat(slas.get(0).path("acknowledge_s").asInt()).isEqualTo(300);
        LoopClient.Answer backwards = api.put(pm, "/api/slas/minor", "{\"acknowledge_s\": 600, \"on_site_s\": 60, \"resolve_s\": 6000}");
        assertThat(backwards.status()).isEqualTo(400);
        assertThat(backwards.error()).contains("loop order");
        JsonNode changed = api.put(pm, "/api/slas/minor", "{\"acknowledge_s\": 1800, \"on_site_s\": 7200, \"resolve_s\": 172800}").json();
        assertThat(changed.path("updated_by").asText()).isEqualTo("pm1");
        assertThat(api.put(worker, "/api/slas/minor", "{}").status()).isEqualTo(403);

        JsonNode routing = api.put(pm, "/api/routing/rules/LAMP_FAULT", "{\"department\": \"municipal\"}").json();
        assertThat(routing.path("rules").findValuesAsText("incident_type")).contains("*", "FIRE", "LAMP_FAULT");
        assertThat(api.put(pm, "/api/routing/rules/LAMP_FAULT", "{\"department\": \"nowhere\"}").error())
                .isEqualTo("no department 'nowhere'");
        assertThat(api.send("DELETE", "/api/routing/rules/*", pm, null).status()).isEqualTo(409);
        assertThat(api.put(pm, "/api/routing/duty/G9/fire", "{\"username\": \"sup1\"}").error())
                .contains("no staff user 'sup1' who can respond");
    }

    /** Which routes are documented, and with which scopes, is OpenApiIT's. */
    @Test
    void errorsAreJson() throws Exception {
        for (LoopClient.Answer error : List.of(api.get(pm, "/api/incidents/999999"), api.get(pm, "/api/incidents/abc"),
                api.post(pm, "/api/incidents/1/resolve", "{not json"), api.get(null, "/api/slas"),
                api.post(api.loginAs("sup1"), "/api/incidents/1/acknowledge", null))) {
            assertThat(error.status()).isBetween(400, 499);
            assertThat(error.error()).isNotBlank();
        }
    }

    private static long incident(Connection c, String openedAt) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO incidents (type, severity, status, occurred_at, opened_at,"
                + " summary) VALUES ('FIRE', 'critical', 'closed', ?::timestamptz, ?::timestamptz, 'supervision test') RETURNING id")) {
            ps.setString(1, openedAt);
            ps.setString(2, openedAt);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void timeline(Connection c, long id, String at, String action, String details) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO incident_timeline (incident_id, at, actor, action, details)"
                + " VALUES (?, ?::timestamptz, 'test', ?, ?::jsonb)")) {
            ps.setLong(1, id);
            ps.setString(2, at);
            ps.setString(3, action);
            ps.setString(4, details);
            ps.executeUpdate();
        }
    }
}
