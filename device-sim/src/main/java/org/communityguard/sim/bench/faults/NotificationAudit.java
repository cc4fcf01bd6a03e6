package org.communityguard.sim.bench.faults;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The notifications of the fires during a provider outage, counted: every webhook notification
 * the hub queued in the outage window about a FIRE incident (its {@code notification_outbox}
 * rows: dispatch, and escalation if the outage is long enough) must in the end be accepted by
 * the provider once it is back. A notification the hub gave up on ({@code failed}), or still had
 * pending when the wait ended, is lost.
 */
public final class NotificationAudit {

    private NotificationAudit() {
    }

    /** @param pendingAtEnd of the lost, those the hub was still retrying when the wait ended */
    public record Tally(int sent, int delivered, int lost, int pendingAtEnd) {
    }

    /** Waits until the hub has stopped retrying every such notification (sent or failed); false on timeout. */
    public static boolean awaitSettled(Settle.ConnectionSource db, Instant from, Instant to, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (Connection c = db.open()) {
                if (!rows(c, from, to).containsValue("pending")) {
                    return true;
                }
            } catch (SQLException e) {
                // The database is busy or away for a moment: ask again.
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(1000);
        }
    }

    public static Tally audit(Connection c, Instant from, Instant to, Set<Long> accepted) throws SQLException {
        Map<Long, String> rows = rows(c, from, to);
        int delivered = 0;
        int pending = 0;
        for (Map.Entry<Long, String> row : rows.entrySet()) {
            if (accepted.contains(row.getKey())) {
                delivered++;
            } else if ("pending".equals(row.getValue())) {
                pending++;
            }
        }
        return new Tally(rows.size(), delivered, rows.size() - delivered, pending);
    }

    /** Outbox id to status, of the webhook notifications about FIRE incidents queued in the window. */
    private static Map<Long, String> rows(Connection c, Instant from, Instant to) throws SQLException {
        Map<Long, String> rows = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT o.id, o.status FROM notification_outbox o"
                + " JOIN incidents i ON i.id = o.incident_id WHERE i.type = 'FIRE' AND o.channel = 'webhook'"
                + " AND o.created_at BETWEEN ? AND ? ORDER BY o.id")) {
            ps.setTimestamp(1, Timestamp.from(from));
            ps.setTimestamp(2, Timestamp.from(to));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.put(rs.getLong(1), rs.getString(2));
                }
            }
        }
        return rows;
    }
}
