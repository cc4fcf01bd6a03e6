package org.communityguard.hub.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.communityguard.hub.ApiClient;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.hub.audit.AuditLog;
import org.communityguard.hub.auth.Role;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Retention per kind of data (docs/retention.md), run by a task of the test's (the hub's own runs
 * once at start, then not for a week): what is past its class's retention goes, what is recent or
 * still needed by an open incident stays, and the run is counted, audited and shown by the API.
 */
@ExtendWith(RealServers.class)
class RetentionIT {

    private static final Pattern FIRST_RUN = Pattern.compile("(?m)^hub_retention_runs_total\\{[^}]*\\} [1-9]");
    private static final String PSEUDONYM = "psn1:AAAAAAAAAAAAAAAAAAAAAA";
    private static final String CARD = "psn1:BBBBBBBBBBBBBBBBBBBBBB";

    private final ObjectMapper json = new ObjectMapper();
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    @Test
    void whatIsPastItsRetentionGoesAndWhatAnOpenIncidentNeedsStays(TimescaleDb timescale) throws Exception {
        try (Hub hub = start(timescale, "required")) {
            DataSource ds = hub.database().dataSource();
            assertThat(hub.database().timescale()).isTrue();
            readings(ds, "smoke-b1-01", "smoke_detector", "{\"temp_c\": 21}", days(500), days(450), days(10), Duration.ofHours(1));
            door(ds, days(200));
            door(ds, days(10));
            long oldChunks = count(ds, "SELECT count(*) FROM timescaledb_information.chunks"
                    + " WHERE hypertable_name = 'readings' AND range_end < now() - interval '400 days'");
            assertThat(oldChunks).isEqualTo(2);
            exec(ds, "INSERT INTO uplink_batches (gateway_id, batch_id, received_at, readings, rejected) VALUES"
                    + " ('gw-sunny-1', 'old', now() - interval '500 days', 1, 0), ('gw-sunny-1', 'new', now(), 1, 0)");
            exec(ds, "INSERT INTO readings_hourly (device_id, hour, readings, fields) VALUES"
                    + " ('smoke-b1-01', date_trunc('hour', now() - interval '6 years'), 1, '{}'),"
                    + " ('smoke-b1-01', date_trunc('hour', now() - interval '1 year'), 1, '{}')");

            // A: closed six years ago, with everything an incident gathers: all of it goes.
            long g1 = group(ds);
            long a = incident(ds, "closed", days(6 * 365), days(6 * 365 - 1), g1);
            report(ds, a, "shared");
            exec(ds, "INSERT INTO incident_deadlines (incident_id, step, due_at, period_s) VALUES (" + a + ", 'resolve', now(), 60)");
            exec(ds, "INSERT INTO resident_alerts (incident_id, recipients) VALUES (" + a + ", 3)");
            // Sent long ago (a pending one would be sent now, and its failure be news on the timeline).
            exec(ds, "WITH o AS (INSERT INTO notification_outbox (incident_id, event, channel, recipient, subject, body, payload,"
                    + " status) VALUES (" + a + ", 'dispatched', 'sms', '+8613800000000', 's', 'b', '{}', 'sent') RETURNING id)"
                    + " INSERT INTO notification_attempts (outbox_id, incident_id, channel, recipient, outcome)"
                    + " SELECT id, " + a + ", 'sms', '+8613800000000', 'sent' FROM o");
            // B: six years old and still open. C: closed long ago, reopened and closed again a month ago.
            long b = incident(ds, "dispatched", days(6 * 365), days(6 * 365), null);
            long c = incident(ds, "closed", days(6 * 365), days(30), null);
            // D: closed long ago, but in a group with an open incident E (a fire's confirmation reads the group).
            long g2 = group(ds);
            long d = incident(ds, "closed", days(6 * 365), days(6 * 365), g2);
            long e = incident(ds, "open", days(6 * 365), days(6 * 365), g2);
            // F: a resident's report, closed 200 days ago: the incident stays, the report and its photo go.
            long f = incident(ds, "closed", days(201), days(200), null);
            report(ds, f, "only-f");
            // G: a report 200 days old whose incident is still open: kept, and so is the photo it shares with A.
            long g = incident(ds, "open", days(200), days(200), null);
            report(ds, g, "shared");

            exec(ds, "INSERT INTO audit_log (at, actor, action, subject_type) VALUES"
                    + " (now() - interval '6 years', 'admin', 'incident.close', 'incident'),"
                    + " (now() - interval '1 day', 'admin', 'incident.close', 'incident')");

            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            RetentionTask task = task(hub, registry);
            RetentionRun run = task.runOnce();

            assertThat(run.outcome()).as(run.toString()).isEqualTo("done");
            assertThat(run.removed(DataClass.READINGS)).containsEntry("chunks", 2L).containsEntry("uplink_batches", 1L);
            assertThat(count(ds, "SELECT count(*) FROM timescaledb_information.chunks"
                    + " WHERE hypertable_name = 'readings' AND range_end < now() - interval '400 days'")).isZero();
            assertThat(count(ds, "SELECT count(*) FROM readings WHERE device_id = 'smoke-b1-01'")).as("recent rows").isEqualTo(2);
            assertThat(count(ds, "SELECT count(*) FROM uplink_batches WHERE gateway_id = 'gw-sunny-1' AND batch_id IN ('old', 'new')"))
                    .isEqualTo(1);
            assertThat(run.removed(DataClass.ROLLUPS)).containsEntry("hours", 1L);
            assertThat(count(ds, "SELECT count(*) FROM readings_hourly WHERE device_id = 'smoke-b1-01'")).isEqualTo(1);

            assertThat(ids(ds, "SELECT id FROM incidents")).contains(b, c, d, e, f, g).doesNotContain(a);
            assertThat(count(ds, "SELECT count(*) FROM incident_timeline WHERE incident_id = " + a)).isZero();
            assertThat(count(ds, "SELECT count(*) FROM incident_timeline WHERE incident_id = " + f)).isEqualTo(2);
            assertThat(count(ds, "SELECT count(*) FROM notification_attempts WHERE incident_id = " + a)).isZero();
            assertThat(ids(ds, "SELECT id FROM incident_groups")).contains(g2).doesNotContain(g1);
            // A's report goes with A (incidents come before personal data); its photo stays for G.
            assertThat(run.removed(DataClass.INCIDENTS)).containsEntry("incidents", 1L).containsEntry("timeline_entries", 2L)
                    .containsEntry("reports", 1L).containsEntry("photos", 0L);

            assertThat(ids(ds, "SELECT incident_id FROM reports")).containsExactly(g);
            assertThat(count(ds, "SELECT count(*) FROM report_photos")).as("the photo G still shows").isEqualTo(1);
            JsonNode scrubbed = data(ds, days(200));
            assertThat(scrubbed.has("subject")).as(scrubbed.toString()).isFalse();
            assertThat(scrubbed.path("reader").has("card_no")).isFalse();
            assertThat(scrubbed.path("event").asText()).as("what happened at the door stays").isEqualTo("denied");
            assertThat(scrubbed.path("reader").path("door").asText()).isEqualTo("main");
            assertThat(data(ds, days(10)).path("subject").asText()).as("recent: still a pseudonym").isEqualTo(PSEUDONYM);
            assertThat(run.removed(DataClass.PERSONAL)).containsEntry("readings_scrubbed", 1L)
                    .containsEntry("reports", 1L).containsEntry("photos", 1L);

            assertThat(count(ds, "SELECT count(*) FROM audit_log WHERE at < now() - interval '5 years'")).isZero();
            assertThat(count(ds, "SELECT count(*) FROM audit_log WHERE action = 'incident.close'")).isEqualTo(1);
            assertThat(count(ds, "SELECT count(*) FROM audit_log WHERE action = 'retention.run'")).as("the hub's run and ours")
                    .isEqualTo(2);
            assertThat(registry.get("hub.retention.removed").tags("class", "incidents", "what", "incidents").counter().count())
                    .isEqualTo(1.0);
            assertThat(registry.get("hub.retention.runs").tags("outcome", "done").counter().count()).isEqualTo(1.0);

            // A door's reading that arrives late, from three days before the cutoff (a gateway that was
            // offline): the next run looks back that far.
            door(ds, days(183));
            RetentionRun again = task.runOnce();
            assertThat(again.outcome()).isEqualTo("done");
            assertThat(again.removed(DataClass.PERSONAL)).containsEntry("readings_scrubbed", 1L);
            assertThat(data(ds, days(183)).has("subject")).isFalse();
            assertThat(again.total()).as("nothing else left to remove: " + again).isEqualTo(1);
            // The incident that was open still stands, timeline and all.
            assertThat(count(ds, "SELECT count(*) FROM incident_timeline WHERE incident_id = " + b)).isEqualTo(1);

            JsonNode shown = ApiClient.user(hub, "supervisor-1", Role.SUPERVISOR).get("/api/retention");
            assertThat(shown.path("classes")).hasSize(5);
            assertThat(shown.path("classes").get(0).path("class").asText()).isEqualTo("readings");
            assertThat(shown.path("classes").get(0).path("keep").asText()).isEqualTo("400d");
            assertThat(shown.path("classes").get(0).path("setting").asText()).isEqualTo("retention.readings");
            assertThat(shown.path("classes").get(0).path("keep_days").asInt()).isEqualTo(400);
            assertThat(shown.path("classes").get(4).path("class").asText()).isEqualTo("personal");
            assertThat(shown.path("classes").get(4).path("keep").asText()).as("this hub's setting").isEqualTo("off");
            assertThat(shown.path("classes").get(4).path("keep_days").isNull()).isTrue();
            assertThat(shown.path("interval").asText()).isEqualTo("7d");
            assertThat(shown.path("last_run").path("outcome").asText()).isEqualTo("done");
            assertThat(shown.path("last_run").path("removed").path("readings").path("chunks").asLong()).as("the second run")
                    .isZero();
            assertThat(ApiClient.user(hub, "grid-1", Role.GRID_WORKER).send("GET", "/api/retention", null).statusCode())
                    .isEqualTo(403);
        }
    }

    @Test
    void whileAnotherHubRunsItThisOneLeavesEverythingAlone(TimescaleDb timescale) throws Exception {
        try (Hub hub = start(timescale, "required")) {
            DataSource ds = hub.database().dataSource();
            exec(ds, "INSERT INTO audit_log (at, actor, action, subject_type) VALUES"
                    + " (now() - interval '6 years', 'admin', 'incident.close', 'incident')");
            try (Connection other = ds.getConnection(); Statement st = other.createStatement();
                 ResultSet rs = st.executeQuery("SELECT pg_try_advisory_lock(hashtextextended('retention', 0))")) {
                rs.next();
                assertThat(rs.getBoolean(1)).isTrue();
                SimpleMeterRegistry registry = new SimpleMeterRegistry();
                RetentionRun run = task(hub, registry).runOnce();
                assertThat(run.outcome()).isEqualTo("skipped");
                assertThat(count(ds, "SELECT count(*) FROM audit_log WHERE action = 'incident.close'")).isEqualTo(1);
                assertThat(registry.get("hub.retention.runs").tags("outcome", "skipped").counter().count()).isEqualTo(1.0);
                st.execute("SELECT pg_advisory_unlock(hashtextextended('retention', 0))");
            }
            // Only the retention task's transactions may delete from the append-only tables, and nobody may rewrite them.
            assertThatThrownBy(() -> exec(ds, "DELETE FROM audit_log")).hasMessageContaining("audit_log is append-only (DELETE refused)");
            assertThatThrownBy(() -> exec(ds, "UPDATE incident_timeline SET actor = 'x'"))
                    .hasMessageContaining("incident_timeline is append-only (UPDATE refused)");
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                c.setAutoCommit(false);
                st.execute("SELECT set_config('communityguard.retention', 'on', true)");
                assertThatThrownBy(() -> st.execute("UPDATE audit_log SET actor = 'x'"))
                        .hasMessageContaining("audit_log is append-only (UPDATE refused)");
                c.rollback();
            }
        }
    }

    @Test
    void onPlainPostgresOldReadingsAreDeletedInBatches(TimescaleDb timescale) throws Exception {
        try (Hub hub = start(timescale, "off")) {
            DataSource ds = hub.database().dataSource();
            assertThat(hub.database().timescale()).isFalse();
            // More than one batch of old readings, and a few recent ones.
            try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO readings (time, received_at, gateway_id, device_id, device_type, kind, data)
                    SELECT t, t, 'gw-sunny-1', 'smoke-b1-02', 'smoke_detector', 'telemetry', '{"temp_c": 20}'
                    FROM generate_series(?::timestamptz, ?::timestamptz, interval '1 minute') AS t
                    """)) {
                ps.setTimestamp(1, Timestamp.from(now.minus(days(430))));
                ps.setTimestamp(2, Timestamp.from(now.minus(days(430)).plus(Duration.ofMinutes(24_999))));
                ps.executeUpdate();
            }
            readings(ds, "smoke-b1-02", "smoke_detector", "{\"temp_c\": 21}", days(399), days(1));
            door(ds, days(200));

            RetentionRun run = task(hub, new SimpleMeterRegistry()).runOnce();

            assertThat(run.outcome()).as(run.toString()).isEqualTo("done");
            assertThat(run.removed(DataClass.READINGS)).containsEntry("rows", 25_000L);
            assertThat(count(ds, "SELECT count(*) FROM readings WHERE device_id = 'smoke-b1-02'")).isEqualTo(2);
            assertThat(data(ds, days(200)).has("subject")).isFalse();
        }
    }

    private Hub start(TimescaleDb timescale, String mode) throws Exception {
        // The fixture's hub keeps everything (readings here at their default, for the API to show);
        // the test's task has the defaults. Personal data stays off for the hub's own run: the
        // scrub goes on from where it last stopped, and the test's door readings are history it has
        // not seen, not readings that came late.
        Hub hub = HubFixture.start(timescale.createDatabase(), Map.of("HUB_DB_TIMESCALE", mode, "HUB_RETENTION_INTERVAL", "7d",
                "HUB_RETENTION_READINGS", "400d"));
        // The hub's own run at start, on an empty history: done before the test writes any.
        await().atMost(Duration.ofSeconds(30)).until(() -> FIRST_RUN.matcher(hub.scrapeMetrics()).find());
        return hub;
    }

    private RetentionTask task(Hub hub, SimpleMeterRegistry registry) {
        return new RetentionTask(() -> hub.database().connectUnpooled("retention-test"), hub.database().timescale(), RetentionPolicy.defaults(),
                new AuditLog(Hub.jsonMapper()), Duration.ofDays(7), Clock.fixed(now, ZoneOffset.UTC), registry);
    }

    private static Duration days(long n) {
        return Duration.ofDays(n);
    }

    private void readings(DataSource ds, String device, String type, String data, Duration... ages) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO readings (time, received_at, gateway_id, device_id, device_type, kind, data)"
                        + " VALUES (?, ?, 'gw-sunny-1', ?, ?, 'event', ?::jsonb)")) {
            for (Duration age : ages) {
                Timestamp at = Timestamp.from(now.minus(age));
                ps.setTimestamp(1, at);
                ps.setTimestamp(2, at);
                ps.setString(3, device);
                ps.setString(4, type);
                ps.setString(5, data);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** A denied door event as the gateway sends it: every personal field already a pseudonym. */
    private void door(DataSource ds, Duration age) throws SQLException {
        readings(ds, "door-b1-01", "door_access", "{\"event\": \"denied\", \"subject\": \"" + PSEUDONYM + "\","
                + " \"reader\": {\"door\": \"main\", \"card_no\": \"" + CARD + "\"}, \"door_open\": false}", age);
    }

    private JsonNode data(DataSource ds, Duration age) throws Exception {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT data::text FROM readings WHERE device_id = 'door-b1-01' AND time = ?")) {
            ps.setTimestamp(1, Timestamp.from(now.minus(age)));
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return json.readTree(rs.getString(1));
            }
        }
    }

    private static long group(DataSource ds) throws SQLException {
        return count(ds, "INSERT INTO incident_groups (created_at) VALUES (now() - interval '6 years') RETURNING id");
    }

    /** An incident opened {@code opened} ago whose last timeline entry is {@code lastActivity} ago. */
    private long incident(DataSource ds, String status, Duration opened, Duration lastActivity, Long group)
            throws SQLException {
        long id;
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO incidents (type, severity, status, occurred_at, opened_at, summary, group_id)"
                        + " VALUES ('REPORT_LIGHTING', 'minor', ?, ?, ?, 'a lamp', ?) RETURNING id")) {
            ps.setString(1, status);
            ps.setTimestamp(2, Timestamp.from(now.minus(opened)));
            ps.setTimestamp(3, Timestamp.from(now.minus(opened)));
            ps.setObject(4, group);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
        }
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO incident_timeline (incident_id, at, actor, action) VALUES (?, ?, 'admin', ?)")) {
            ps.setLong(1, id);
            ps.setTimestamp(2, Timestamp.from(now.minus(opened)));
            ps.setString(3, "opened");
            ps.executeUpdate();
            if (!lastActivity.equals(opened)) {
                ps.setTimestamp(2, Timestamp.from(now.minus(lastActivity)));
                ps.setString(3, status);
                ps.executeUpdate();
            }
        }
        return id;
    }

    /** A phone report on the incident, with a photo (the same bytes: the same photo row). */
    private static void report(DataSource ds, long incident, String photo) throws SQLException {
        exec(ds, "INSERT INTO report_photos (sha256, content_type, bytes) VALUES (sha256('" + photo + "'), 'image/png', '"
                + photo + "') ON CONFLICT DO NOTHING");
        exec(ds, "INSERT INTO reports (incident_id, category, text, channel, caller_name, caller_phone, entered_by,"
                + " photo_sha256, created_at) VALUES (" + incident + ", 'lighting', 'lamp out by my door', 'phone',"
                + " 'Li Wei', '+8613900000000', 'admin', sha256('" + photo + "'),"
                + " (SELECT opened_at FROM incidents WHERE id = " + incident + "))");
    }

    private static void exec(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static long count(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<Long> ids(DataSource ds, String sql) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }
}
