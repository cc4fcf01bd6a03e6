package org.communityguard.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
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
 * What the console's oversight pages rely on, through the real API: the supervision report as a
 * CSV download, configuration changes (thresholds, SLAs, routing) in the audit log, and every read
 * of residents' personal data audited or not shown at all.
 */
@ExtendWith(RealServers.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleAdminApiIT {

    private Hub hub;
    private LoopClient api;
    private String admin;
    private String pm;
    private String auditor;

    @BeforeAll
    void startHub(TimescaleDb timescale) throws Exception {
        hub = HubFixture.start(timescale.createDatabase(), Map.of());
        api = new LoopClient(hub);
        admin = api.admin();
        api.createUser(admin, "pm1", "property_manager", null, null, null, null);
        api.createUser(admin, "sup1", "supervisor", null, null, null, null);
        api.createUser(admin, "aud1", "auditor", null, null, null, null);
        api.createUser(admin, "w1", "grid_worker", "G1", null, null, null);
        pm = api.loginAs("pm1");
        auditor = api.loginAs("aud1");
    }

    @AfterAll
    void stopHub() {
        hub.close();
    }

    @Test
    void supervisionDownloadsAsCsv() throws Exception {
        String sup = api.loginAs("sup1");
        LoopClient.Answer csv = api.get(sup, "/api/supervision?from=2020-03-01&to=2020-04-01&by=department&format=csv");
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.raw().headers().firstValue("Content-Type")).contains("text/csv; charset=utf-8; header=present");
        assertThat(csv.raw().headers().firstValue("Content-Disposition"))
                .contains("attachment; filename=\"supervision-by-department-2020-03-01-to-2020-04-01.csv\"");
        String body = new String(csv.raw().body(), StandardCharsets.UTF_8);
        assertThat(body).startsWith("\uFEFFdepartment,incidents,false_alarms,mean_acknowledge_s,").endsWith("(all),0,0,,,,,,,,0\r\n");

        // Accept: text/csv asks for the same; an unknown format is refused; grid workers do not supervise.
        HttpResponse<String> accepted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + hub.httpPort() + "/api/supervision?from=2020-03-01&to=2020-04-01"))
                .header("Authorization", "Bearer " + sup).header("Accept", "text/csv").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.headers().firstValue("Content-Type")).get().asString().startsWith("text/csv");
        assertThat(accepted.body()).contains("grid,incidents");
        assertThat(api.get(sup, "/api/supervision?format=xml").status()).isEqualTo(400);
        assertThat(api.get(sup, "/api/supervision").json().path("by").asText()).isEqualTo("grid");
        assertThat(api.get(api.loginAs("w1"), "/api/supervision?format=csv").status()).isEqualTo(403);
    }

    @Test
    void configurationChangesAreInTheAuditLogAndRefusedOnesAreNot() throws Exception {
        assertThat(api.put(pm, "/api/communities/sunny-garden/thresholds",
                "{\"thresholds\": [{\"scope\": \"manhole\", \"key\": \"flood_level_cm\", \"value\": 9999}]}").status()).isEqualTo(400);
        assertThat(api.put(pm, "/api/communities/sunny-garden/thresholds",
                "{\"thresholds\": [{\"scope\": \"manhole\", \"key\": \"flood_level_cm\", \"value\": 25}]}").status()).isEqualTo(200);
        assertThat(api.put(pm, "/api/slas/major", "{\"acknowledge_s\": 600, \"on_site_s\": 1800, \"resolve_s\": 14400}")
                .status()).isEqualTo(200);
        assertThat(api.put(pm, "/api/routing/rules/LAMP_FAULT", "{\"department\": \"municipal\"}").status()).isEqualTo(200);
        assertThat(api.put(pm, "/api/routing/duty/G1/fire", "{\"username\": \"w1\"}").status()).isEqualTo(200);

        JsonNode entries = api.get(auditor, "/api/audit?actor=pm1").json().path("entries");
        assertThat(entries.findValuesAsText("action"))
                .contains("thresholds.put", "sla.put", "routing.rule.put", "routing.duty.put");
        JsonNode thresholds = api.get(auditor, "/api/audit?actor=pm1&action=thresholds.put").json().path("entries");
        assertThat(thresholds).as("the refused change left no entry").hasSize(1);
        assertThat(thresholds.get(0).path("subject_id").asText()).isEqualTo("sunny-garden");
        JsonNode sla = api.get(auditor, "/api/audit?actor=pm1&action=sla.put").json().path("entries").get(0);
        assertThat(sla.path("subject_id").asText()).isEqualTo("major");
        assertThat(sla.path("details").path("acknowledge_s").asInt()).isEqualTo(600);
    }

    @Test
    void readsOfResidentsAndUsersAreAudited() throws Exception {
        String worker = api.loginAs("w1");
        long id = api.post(worker, "/api/residents", "{\"name\": \"Zhang San\", \"building\": \"B2\", \"phone\": \"+8613700000001\"}")
                .json().path("id").asLong();
        assertThat(api.get(worker, "/api/residents?building=B2").status()).isEqualTo(200);
        assertThat(api.get(worker, "/api/residents/" + id).status()).isEqualTo(200);
        assertThat(api.get(admin, "/api/users").status()).isEqualTo(200);

        JsonNode reads = api.get(auditor, "/api/audit?actor=w1&action=personal_data.read").json().path("entries");
        assertThat(reads.findValuesAsText("subject_type")).containsExactlyInAnyOrder("residents", "resident");
        assertThat(reads.findParents("subject_type").stream().filter(e -> e.path("subject_type").asText().equals("residents"))
                .findFirst().orElseThrow().path("details").path("resident_ids").get(0).asLong()).isEqualTo(id);
        assertThat(api.get(auditor, "/api/audit?actor=admin&action=personal_data.read").json().path("entries")
                .findValuesAsText("subject_type")).contains("users");
        assertThat(api.get(auditor, "/api/residents").status()).as("auditors read the log, not the register").isEqualTo(403);
    }

    @Test
    void anIncidentNeverShowsAResidentsAddressWhereNothingAuditsIt() throws Exception {
        LoopClient.Answer phone = api.post(pm, "/api/reports/phone", "{\"caller_name\": \"Grandma Zhao\","
                + " \"caller_phone\": \"+8613800000009\", \"category\": \"manhole\", \"text\": \"cover rocks\", \"building\": \"B2\"}");
        assertThat(phone.status()).as(phone.json().toString()).isEqualTo(201);
        long id = phone.json().path("incident_id").asLong();
        // What the loop queues when a report is handled (the reporter is told) and when it is dispatched (staff).
        try (Connection c = hub.database().dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO notification_outbox (incident_id, event, channel, recipient, subject, body, payload, status)"
                        + " VALUES (?, ?, ?, ?, 's', 'b', '{}', 'sent')")) {
            for (List<String> row : List.of(List.of("resolved", "sms", "+8613800000009"),
                    List.of("dispatched", "email", "w1@sunny-garden.example"))) {
                ps.setLong(1, id);
                ps.setString(2, row.get(0));
                ps.setString(3, row.get(1));
                ps.setString(4, row.get(2));
                ps.executeUpdate();
            }
        }
        for (String reader : List.of(auditor, api.loginAs("sup1"), pm)) {
            JsonNode incident = api.get(reader, "/api/incidents/" + id).json();
            JsonNode sent = incident.path("notifications");
            assertThat(sent.findValuesAsText("event")).containsExactly("resolved", "dispatched");
            assertThat(sent.get(0).path("recipient").isNull()).as("the reporter's phone").isTrue();
            assertThat(sent.get(1).path("recipient").asText()).isEqualTo("w1@sunny-garden.example");
        }
        // The property manager saw the caller's name and number, and that read is in the log; the auditor's was not one.
        assertThat(api.get(auditor, "/api/incidents/" + id).json().path("report").path("reporter").isNull()).isTrue();
        JsonNode reads = api.get(auditor, "/api/audit?action=personal_data.read").json().path("entries");
        assertThat(reads.findParents("subject_type").stream().filter(e -> e.path("subject_type").asText().equals("report"))
                .map(e -> e.path("actor").asText()).toList()).containsOnly("pm1");
    }
}
