package org.communityguard.hub.console;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.communityguard.hub.storage.Tx;

/**
 * Reads what the incident timeline gained since the last read: every change of an incident is an
 * {@code incident_timeline} entry written in the transaction that made it, so following the
 * timeline misses no change that committed, whichever hub (or anyone else) committed it.
 *
 * <p>The position is a PostgreSQL snapshot ({@code pg_current_snapshot()}), not a {@code seq}:
 * transactions commit in any order, and an entry with a smaller {@code seq} can become visible
 * after one with a larger (the first transaction took longer to commit), so "seq greater than
 * the last one seen" would skip it. Each entry records its transaction ({@code tx}, migration V5);
 * a read returns the entries whose transaction the previous snapshot did not see as finished and
 * this one does: each committed entry exactly once, in the read after its commit.
 */
final class TimelineFeed {

    /** One timeline entry: which incident, and what happened to it. */
    record Entry(long seq, long incidentId, String action) {
    }

    /**
     * What one read found, and the snapshot it saw, to read from next. {@code overflow}: more than
     * the limit was new; {@code entries} is then empty and the reader should tell its clients to
     * reload instead.
     */
    record Batch(List<Entry> entries, String snapshot, boolean overflow) {
    }

    private static final String NEW_ENTRIES = """
            SELECT seq, incident_id, action FROM incident_timeline
            WHERE tx >= pg_snapshot_xmin(?::pg_snapshot) AND NOT pg_visible_in_snapshot(tx, ?::pg_snapshot)
            ORDER BY seq LIMIT ?
            """;

    private final DataSource dataSource;
    private final int limit;

    /** @param limit most entries one read returns; beyond it the read is an overflow */
    TimelineFeed(DataSource dataSource, int limit) {
        this.dataSource = dataSource;
        this.limit = limit;
    }

    /** Where to start following: everything committed before now is history, not news. */
    String now() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return snapshot(c);
        }
    }

    /** The entries committed since {@code since} (a snapshot from {@link #now} or a previous batch). */
    Batch since(String since) throws SQLException {
        return Tx.run(dataSource, c -> {
            // One snapshot for both statements: the entries read are exactly those it sees. (The
            // pool puts isolation and read-only back when the connection returns.)
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            String snapshot = snapshot(c);
            List<Entry> entries = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(NEW_ENTRIES)) {
                ps.setString(1, since);
                ps.setString(2, since);
                ps.setInt(3, limit + 1);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        entries.add(new Entry(rs.getLong(1), rs.getLong(2), rs.getString(3)));
                    }
                }
            }
            return entries.size() > limit ? new Batch(List.of(), snapshot, true) : new Batch(entries, snapshot, false);
        });
    }

    private static String snapshot(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_current_snapshot()::text");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }
}
