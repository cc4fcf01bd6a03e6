package org.communityguard.hub.console;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.communityguard.hub.api.LiveEvents;
import org.communityguard.hub.auth.Principal;
import org.communityguard.hub.incident.lifecycle.Visibility;
import org.communityguard.hub.storage.Tx;

/**
 * The board's reads. Open incidents come through the partial index {@code incidents_open_idx}
 * (V4), so years of closed incidents do not slow the board; the recently closed ones through
 * {@code incidents_opened_idx}. Each row's next SLA deadline is one lateral lookup on the
 * deadlines' primary key (at most three rows per incident), only for open incidents. Lists are
 * limited to what the caller may see ({@link Visibility}).
 */
public final class BoardQuery {

    static final String SEVERITY_RANK = "CASE i.severity WHEN 'critical' THEN 0 WHEN 'major' THEN 1"
            + " WHEN 'minor' THEN 2 ELSE 3 END";

    /** The columns {@link #row} reads, in its order. */
    static final String COLUMNS = "i.id, i.type, i.severity, i.status, i.community_id, i.building_id, b.name,"
            + " coalesce(i.grid, b.grid), i.device_id, d.location, i.occurred_at, i.opened_at, i.summary,"
            + " i.department, i.responder, n.step, n.due_at";
    static final String FROM = " FROM incidents i LEFT JOIN devices d ON d.id = i.device_id"
            + " LEFT JOIN buildings b ON b.community_id = i.community_id AND b.id = i.building_id"
            + " LEFT JOIN LATERAL (SELECT dl.step, dl.due_at FROM incident_deadlines dl"
            + " WHERE dl.incident_id = i.id AND dl.met_at IS NULL AND i.is_open ORDER BY dl.due_at LIMIT 1) n ON TRUE";
    /** How many columns {@link #row} reads. */
    static final int COLUMN_COUNT = 17;
    private static final String SELECT = "SELECT " + COLUMNS + FROM;

    /** A row to publish, with the dispatch as it is stored: who may receive it on the live feed. */
    record Published(BoardIncident row, LiveEvents.Audience audience) {
    }

    private final DataSource dataSource;

    public BoardQuery(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** What the board shows one caller, read in one transaction. */
    public record Snapshot(List<BoardIncident> open, Map<String, Long> openCounts, List<BoardIncident> recentlyClosed) {
    }

    /**
     * Open incidents (any status but closed and cancelled), most severe first, then newest, at
     * most {@code limit}; their counts per severity; the {@code recent} most recently opened
     * closed or cancelled ones. All within what {@code who} may see.
     */
    public Snapshot snapshot(Principal who, int limit, int recent) throws SQLException {
        return Tx.run(dataSource, c -> {
            Visibility.Filter filter = Visibility.of(c, who);
            String visible = " AND " + filter.condition();
            List<BoardIncident> open = rows(c, SELECT + " WHERE i.is_open" + visible + " ORDER BY " + SEVERITY_RANK
                    + ", i.opened_at DESC, i.id DESC LIMIT ?", filter, limit);
            List<BoardIncident> closed = rows(c, SELECT + " WHERE NOT i.is_open" + visible
                    + " ORDER BY i.opened_at DESC, i.id DESC LIMIT ?", filter, recent);
            Map<String, Long> counts = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT i.severity, count(*) FROM incidents i WHERE i.is_open"
                    + visible + " GROUP BY i.severity ORDER BY i.severity")) {
                filter.bind(ps, 1);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        counts.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
            return new Snapshot(open, counts, closed);
        });
    }

    /** Rows to publish on the live feed, each with whom it concerns (the feed filters per client). */
    public List<Published> byIds(List<Long> ids) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT " + COLUMNS + ", i.grid" + FROM + " WHERE i.id = ANY (?) ORDER BY i.id")) {
            Array array = c.createArrayOf("bigint", ids.toArray());
            ps.setArray(1, array);
            List<Published> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    BoardIncident row = row(rs);
                    out.add(new Published(row, new LiveEvents.Audience(row.id(), rs.getString(COLUMN_COUNT + 1),
                            row.department(), row.responder())));
                }
            }
            return out;
        }
    }

    private static List<BoardIncident> rows(Connection c, String sql, Visibility.Filter filter, int limit)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(filter.bind(ps, 1), limit);
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
                rs.getTimestamp(11).toInstant(), rs.getTimestamp(12).toInstant(), rs.getString(13), rs.getString(14),
                rs.getString(15), rs.getString(16), instant(rs.getTimestamp(17)));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

}
