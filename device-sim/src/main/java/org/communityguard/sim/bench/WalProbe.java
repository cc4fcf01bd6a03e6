package org.communityguard.sim.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The disk side of a measured window, from the server itself: bytes of write-ahead log written
 * (what fsync has to push to disk) and checkpoints completed (a checkpoint inside a window
 * writes dirty pages and makes the next WAL records larger, so that window is not comparable).
 */
final class WalProbe implements AutoCloseable {

    record Sample(long walBytes, long checkpoints) {
    }

    private final Connection db;

    WalProbe(String url, String user, String password) throws SQLException {
        this.db = DriverManager.getConnection(url, user, password);
    }

    Sample sample() throws SQLException {
        try (Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint,"
                     + " checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter")) {
            rs.next();
            return new Sample(rs.getLong(1), rs.getLong(2));
        }
    }

    @Override
    public void close() throws SQLException {
        db.close();
    }
}
