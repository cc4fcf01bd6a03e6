package org.communityguard.hub.retention;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SQL of each data class's retention (docs/retention.md), on a connection of the task's
 * (auto-commit off). Every batch is a transaction of its own, so a run over years of history
 * holds no lock for long and what it has removed stays removed if it stops halfway.
 */
final class Purges {

    /** Rows per DELETE or UPDATE. */
    static final int BATCH = 10_000;
    /** Incidents per transaction (each takes its timeline, deadlines, notifications and report along). */
    static final int INCIDENT_BATCH = 500;
    /** Door-access readings are scrubbed a week of one door's readings at a time. */
    private static final Duration SCRUB_WINDOW = Duration.ofDays(7);
    /**
     * The scrub looks again at this much before where it stopped: a gateway that was offline
     * delivers its buffer late, with the readings' own (older) times. A door reading delivered
     * later than this after the scrub passed its time keeps its pseudonyms until the readings'
     * own retention (docs/retention.md says so).
     */
    private static final Duration LATE = Duration.ofDays(7);

    // Deletes the reports the condition picks and the photos no report refers to any more (two
    // reports of the same photo share its row). The statement's sub-queries see the reports as
    // they were, hence "not among the gone".
    private static final String DELETE_REPORTS = """
            WITH gone AS (DELETE FROM reports WHERE %s RETURNING id, photo_sha256),
            photos AS (DELETE FROM report_photos p WHERE p.sha256 IN (SELECT photo_sha256 FROM gone)
                       AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.photo_sha256 = p.sha256
                                       AND r.id NOT IN (SELECT id FROM gone))
                       RETURNING 1)
            SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM photos)
            """;

    // "Nothing has happened to it since the cutoff": closed or cancelled, opened before, and no
    // timeline entry (a reopen, a rating, a note) since.
    private static final String QUIET_SINCE = "NOT i.is_open AND i.opened_at < ?"
            + " AND NOT EXISTS (SELECT 1 FROM incident_timeline t WHERE t.incident_id = i.id AND t.at >= ?)";

    private final boolean timescale;

    Purges(boolean timescale) {
        this.timescale = timescale;
    }

    /** Readings before the cutoff, and the uplink's batch keys received before it. */
    Map<String, Long> readings(Connection c, Instant cutoff) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        if (timescale) {
            // Whole chunks: no row-by-row delete, no dead tuples to vacuum. Apache-licensed
            // TimescaleDB has drop_chunks (not add_retention_policy, hence this task).
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM drop_chunks('readings', older_than => ?::timestamptz)")) {
                ps.setTimestamp(1, Timestamp.from(cutoff));
                out.put("chunks", single(ps));
            }
            c.commit();
        } else {
            out.put("rows", batches(c, "DELETE FROM readings WHERE ctid = ANY (ARRAY("
                    + "SELECT ctid FROM readings WHERE time < ? LIMIT " + BATCH + "))", cutoff, false));
        }
        out.put("uplink_batches", batches(c, "DELETE FROM uplink_batches WHERE (gateway_id, batch_id) IN ("
                + "SELECT gateway_id, batch_id FROM uplink_batches WHERE received_at < ? LIMIT " + BATCH + ")", cutoff, false));
        return out;
    }

    /** Hours of the rollup before the cutoff. */
    Map<String, Long> rollups(Connection c, Instant cutoff) throws SQLException {
        return Map.of("hours", batches(c, "DELETE FROM readings_hourly WHERE (device_id, hour) IN ("
                + "SELECT device_id, hour FROM readings_hourly WHERE hour < ? LIMIT " + BATCH + ")", cutoff, false));
    }

    /** Audit entries before the cutoff. */
    Map<String, Long> audit(Connection c, Instant cutoff) throws SQLException {
        return Map.of("entries", batches(c, "DELETE FROM audit_log WHERE id IN ("
                + "SELECT id FROM audit_log WHERE at < ? ORDER BY at LIMIT " + BATCH + ")", cutoff, true));
    }

    /**
     * Closed and cancelled incidents nothing has happened to since the cutoff, with everything
     * that refers to them. Never an open one, nor a closed one in a group with an open one (a
     * fire's confirmation reads its group). The incidents are locked as they are picked, so one
     * reopened meanwhile is either waited for (and then no longer picked) or skipped.
     */
    Map<String, Long> incidents(Connection c, Instant cutoff) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String k : List.of("incidents", "timeline_entries", "deadlines", "notifications", "notification_attempts",
                "resident_alerts", "reports", "photos", "groups")) {
            out.put(k, 0L);
        }
        int picked;
        do {
            allowRewrite(c);
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT i.id FROM incidents i WHERE " + QUIET_SINCE
                    + " AND (i.group_id IS NULL OR NOT EXISTS (SELECT 1 FROM incidents o WHERE o.group_id = i.group_id AND o.is_open))"
                    + " ORDER BY i.id LIMIT " + INCIDENT_BATCH + " FOR UPDATE OF i SKIP LOCKED")) {
                ps.setTimestamp(1, Timestamp.from(cutoff));
                ps.setTimestamp(2, Timestamp.from(cutoff));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
            }
            picked = ids.size();
            if (picked == 0) {
                c.commit();
                break;
            }
            Array idArray = c.createArrayOf("bigint", ids.toArray());
            add(out, "notification_attempts", update(c, "DELETE FROM notification_attempts WHERE outbox_id IN ("
                    + "SELECT id FROM notification_outbox WHERE incident_id = ANY (?))", idArray));
            add(out, "notifications", update(c, "DELETE FROM notification_outbox WHERE incident_id = ANY (?)", idArray));
            add(out, "deadlines", update(c, "DELETE FROM incident_deadlines WHERE incident_id = ANY (?)", idArray));
            add(out, "resident_alerts", update(c, "DELETE FROM resident_alerts WHERE incident_id = ANY (?)", idArray));
            long[] reports = deleteReports(c, "incident_id = ANY (?)", ps -> ps.setArray(1, idArray));
            add(out, "reports", reports[0]);
            add(out, "photos", reports[1]);
            add(out, "timeline_entries", update(c, "DELETE FROM incident_timeline WHERE incident_id = ANY (?)", idArray));
            try (PreparedStatement ps = c.prepareStatement("WITH gone AS (DELETE FROM incidents WHERE id = ANY (?) RETURNING group_id)"
                    + " SELECT count(*), array_agg(DISTINCT group_id) FILTER (WHERE group_id IS NOT NULL) FROM gone")) {
                ps.setArray(1, idArray);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    add(out, "incidents", rs.getLong(1));
                    Array groups = rs.getArray(2);
                    if (groups != null) {
                        // A group goes with its last incident.
                        add(out, "groups", update(c, "DELETE FROM incident_groups g WHERE g.id = ANY (?)"
                                + " AND NOT EXISTS (SELECT 1 FROM incidents i WHERE i.group_id = g.id)", groups));
                    }
                }
            }
            c.commit();
        } while (picked == INCIDENT_BATCH);
        return out;
    }

    /**
     * Personal data past its retention: the pseudonyms in door-access readings (taken out of the
     * readings, which stay), and resident reports with their photos once their incident has been
     * closed that long (never while it is open: whoever handles it may call the reporter back).
     */
    Map<String, Long> personal(Connection c, Instant cutoff) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("readings_scrubbed", scrub(c, cutoff));
        long[] total = {0, 0};
        long[] batch;
        do {
            batch = deleteReports(c, "id IN (SELECT r.id FROM reports r JOIN incidents i ON i.id = r.incident_id"
                    + " WHERE r.created_at < ? AND " + QUIET_SINCE + " LIMIT " + INCIDENT_BATCH + " FOR SHARE OF i SKIP LOCKED)",
                    ps -> {
                        ps.setTimestamp(1, Timestamp.from(cutoff));
                        ps.setTimestamp(2, Timestamp.from(cutoff));
                        ps.setTimestamp(3, Timestamp.from(cutoff));
                    });
            c.commit();
            total[0] += batch[0];
            total[1] += batch[1];
        } while (batch[0] == INCIDENT_BATCH);
        out.put("reports", total[0]);
        out.put("photos", total[1]);
        return out;
    }

    /** Door by door (readings_device_time_idx), a week at a time, from where the last run stopped. */
    private long scrub(Connection c, Instant cutoff) throws SQLException {
        Instant done = null;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT scrubbed_to FROM retention_progress")) {
            if (rs.next()) {
                done = rs.getTimestamp(1).toInstant();
            }
        }
        List<String> doors = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id FROM devices WHERE type = 'door_access' ORDER BY id")) {
            while (rs.next()) {
                doors.add(rs.getString(1));
            }
        }
        c.commit();
        long scrubbed = 0;
        for (String door : doors) {
            Instant from = done == null ? oldest(c, door, cutoff) : done.minus(LATE);
            for (Instant at = from; at != null && at.isBefore(cutoff); at = at.plus(SCRUB_WINDOW)) {
                Instant to = at.plus(SCRUB_WINDOW).isBefore(cutoff) ? at.plus(SCRUB_WINDOW) : cutoff;
                try (PreparedStatement ps = c.prepareStatement("UPDATE readings SET data = scrub_pseudonyms(data)"
                        + " WHERE device_id = ? AND time >= ? AND time < ? AND data::text LIKE '%psn1:%'")) {
                    ps.setString(1, door);
                    ps.setTimestamp(2, Timestamp.from(at));
                    ps.setTimestamp(3, Timestamp.from(to));
                    scrubbed += ps.executeUpdate();
                }
                c.commit();
            }
        }
        if (done == null || done.isBefore(cutoff)) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO retention_progress (scrubbed_to) VALUES (?)"
                    + " ON CONFLICT (one) DO UPDATE SET scrubbed_to = excluded.scrubbed_to")) {
                ps.setTimestamp(1, Timestamp.from(cutoff));
                ps.executeUpdate();
            }
            c.commit();
        }
        return scrubbed;
    }

    private static Instant oldest(Connection c, String door, Instant cutoff) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT min(time) FROM readings WHERE device_id = ? AND time < ?")) {
            ps.setString(1, door);
            ps.setTimestamp(2, Timestamp.from(cutoff));
            try (ResultSet rs = ps.executeQuery()) {
                Timestamp t = rs.next() ? rs.getTimestamp(1) : null;
                return t == null ? null : t.toInstant();
            }
        }
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    /** {reports, photos} deleted; in the caller's transaction. */
    private static long[] deleteReports(Connection c, String condition, Binder binder) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(DELETE_REPORTS.formatted(condition))) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }

    /** Runs a batched statement (at most {@link #BATCH} rows) until a batch is not full; rows in all. */
    private static long batches(Connection c, String sql, Instant cutoff, boolean appendOnly) throws SQLException {
        long total = 0;
        int n;
        do {
            if (appendOnly) {
                allowRewrite(c);
            }
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setTimestamp(1, Timestamp.from(cutoff));
                n = ps.executeUpdate();
            }
            c.commit();
            total += n;
        } while (n == BATCH);
        return total;
    }

    /** This transaction may delete from the append-only timeline and audit log (V10__retention.sql). */
    private static void allowRewrite(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SELECT set_config('communityguard.retention', 'on', true)");
        }
    }

    private static long update(Connection c, String sql, Array ids) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, ids);
            return ps.executeUpdate();
        }
    }

    private static long single(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void add(Map<String, Long> out, String key, long n) {
        out.merge(key, n, Long::sum);
    }
}
