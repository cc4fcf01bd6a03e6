package org.communityguard.hub.console;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The board's reads. Open incidents come through the partial index {@code incidents_open_idx}
 * (V4), so years of closed incidents do not slow the board; the recently closed ones through
 * {@code incidents_opened_idx}.
 */
public final class BoardQuery {

    static final String SEVERITY_RANK = "CASE i.severity WHEN 'critical' THEN 0 WHEN 'major' THEN 1"
            + " WHEN 'minor' THEN 2 ELSE 3 END";

    /** The columns {@link #row} reads, in its order. */
    static final String COLUMNS = "i.id, i.type, i.severity, i.status, i.community_id, i.building_id, b.name, b.grid,"
            + " i.device_id, d.location, i.occurred_at, i.opened_at, i.summary";
    static final String FROM = " FROM incidents i LEFT JOIN devices d ON d.id = i.device_id"
            + " LEFT JOIN buildings b ON b.community_id = i.community_id AND b.id = i.building_id";
    /** How many columns {@link #row} reads. */
    static final int COLUMN_COUNT = 13;
    private static final String SELECT = "SELECT " + COLUMNS + FROM;

    private final DataSource dataSource;

    public BoardQuery(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Open incidents (any status but closed and cancelled), most severe first, then newest. */
    public List<BoardIncident> open(int limit) throws SQLException {
        return rows(SELECT + " WHERE i.is_open ORDER BY " + SEVERITY_RANK + ", i.opened_at DESC, i.id DESC LIMIT ?", limit);
    }

    /** The most recently opened incidents that are closed or cancelled. */
    public List<BoardIncident> recentlyClosed(int limit) throws SQLException {
        return rows(SELECT + " WHERE NOT i.is_open ORDER BY i.opened_at DESC, i.id DESC LIMIT ?", limit);
    }

    /** Open incidents per severity. */
    public Map<String, Long> openCounts() throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT severity, count(*) FROM incidents WHERE is_open GROUP BY severity ORDER BY severity")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return counts;
    }

    public List<BoardIncident> byIds(List<Long> ids) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(SELECT + " WHERE i.id = ANY (?) ORDER BY i.id")) {
            Array array = c.createArrayOf("bigint", ids.toArray());
            ps.setArray(1, array);
            return read(ps);
        }
    }

    private List<BoardIncident> rows(String sql, int limit) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, limit);
            return read(ps);
        }
    }

    private static List<BoardIncident> read(PreparedStatement ps) throws SQLException {
        List<BoardIncident> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(row(rs));
            }
        }
        return out;
    }

    static BoardIncident row(ResultSet rs) throws SQLException {
        return new BoardIncident(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
                rs.getTimestamp(11).toInstant(), rs.getTimestamp(12).toInstant(), rs.getString(13));
    }

}
