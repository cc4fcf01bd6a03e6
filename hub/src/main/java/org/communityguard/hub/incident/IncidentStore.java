package org.communityguard.hub.incident;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.communityguard.hub.incident.lifecycle.Visibility;

/**
 * Where incidents are opened and read. Opening relies on the partial unique index
 * {@code incidents_one_active_per_device_type}: concurrent writers (threads or hub instances)
 * racing for the same device and type end with exactly one active incident (open, dispatched,
 * acknowledged, on site). A resolved incident is not active: it waits for its rating, and a new
 * alarm from its device opens a new incident (docs/incident-loop.md).
 */
public final class IncidentStore {

    // A device missing from the registry (unprovisioned, or not in the site file) is located at
    // its gateway: the gateway's community, no building, and the summary says so. A gateway's own
    // incident (device_id = gateway_id) is named by the gateway. A device registered to another
    // gateway (only its safety alarms get through, ingest.GatewayBinding) is located where it is
    // registered, and the summary names the gateway that reported it.
    private static final String OPEN_SQL = """
            INSERT INTO incidents (type, severity, community_id, building_id, device_id, gateway_id,
                                   occurred_at, summary, details)
            SELECT k.type, k.severity, coalesce(d.community_id, g.community_id), d.building_id, k.device_id, k.gateway_id,
                   k.occurred_at,
                   k.summary || coalesce(' in ' || b.name, '') || coalesce(' (' || d.location || ')', '')
                       || CASE WHEN k.device_id = k.gateway_id THEN coalesce(' (' || g.name || ')', '')
                               WHEN d.id IS NULL OR NOT d.provisioned
                               THEN ' (not a registered device; located at gateway ' || k.gateway_id
                                    || coalesce(', ' || g.name, '') || ')'
                               WHEN d.gateway_id IS DISTINCT FROM k.gateway_id
                               THEN ' (reported by gateway ' || k.gateway_id || ', not its own gateway '
                                    || coalesce(d.gateway_id, 'none') || ')'
                               ELSE '' END,
                   k.details
            FROM (SELECT ?::text AS type, ?::text AS severity, ?::text AS device_id, ?::text AS gateway_id,
                         ?::timestamptz AS occurred_at, ?::text AS summary, ?::jsonb AS details) AS k
            LEFT JOIN devices d ON d.id = k.device_id
            LEFT JOIN buildings b ON b.community_id = d.community_id AND b.id = d.building_id
            LEFT JOIN gateways g ON g.id = k.gateway_id
            ON CONFLICT (device_id, type) WHERE is_active DO NOTHING
            RETURNING id
            """;

    private static final String SELECT_SQL = """
            SELECT i.id, i.type, i.severity, i.status, i.community_id, i.building_id, b.name, i.device_id,
                   d.location, i.gateway_id, i.occurred_at, i.opened_at, i.summary, i.details, i.group_id
            FROM incidents i
            LEFT JOIN devices d ON d.id = i.device_id
            LEFT JOIN buildings b ON b.community_id = i.community_id AND b.id = i.building_id
            """;

    private final ObjectMapper json;

    public IncidentStore(ObjectMapper json) {
        this.json = json;
    }

    /** An incident that {@link #open} actually opened. */
    public record Opened(long id, IncidentType type, String deviceId) {
    }

    /**
     * Opens an incident for each candidate whose device has no active incident of that type,
     * in the caller's transaction, with an "opened" entry on its timeline.
     */
    public List<Opened> open(Connection c, List<Candidate> candidates) throws SQLException {
        // Many readings of one alarming device in one commit are one candidate.
        Map<String, Candidate> distinct = new LinkedHashMap<>();
        for (Candidate k : candidates) {
            distinct.putIfAbsent(k.deviceId() + '\u0000' + k.type(), k);
        }
        List<Opened> opened = new ArrayList<>();
        try (PreparedStatement insert = c.prepareStatement(OPEN_SQL);
             PreparedStatement timeline = c.prepareStatement(
                     "INSERT INTO incident_timeline (incident_id, actor, action, details) VALUES (?, 'system', 'opened', ?::jsonb)")) {
            for (Candidate k : distinct.values()) {
                String details = json.writeValueAsString(k.details());
                insert.setString(1, k.type().name());
                insert.setString(2, k.severity().wireName());
                insert.setString(3, k.deviceId());
                insert.setString(4, k.gatewayId());
                insert.setTimestamp(5, new Timestamp(k.occurredAt()));
                insert.setString(6, k.summary());
                insert.setString(7, details);
                try (ResultSet rs = insert.executeQuery()) {
                    if (rs.next()) {
                        long id = rs.getLong(1);
                        opened.add(new Opened(id, k.type(), k.deviceId()));
                        timeline.setLong(1, id);
                        timeline.setString(2, details);
                        timeline.addBatch();
                    }
                }
            }
            if (!opened.isEmpty()) {
                timeline.executeBatch();
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("incident details are always serializable", e);
        }
        return opened;
    }

    /** Newest first; {@code status} null means any; only incidents {@code visible} to the caller. */
    public List<Incident> list(DataSource ds, String status, int limit, Visibility.Filter visible) throws SQLException {
        String sql = SELECT_SQL + " WHERE " + visible.condition() + (status == null ? "" : " AND i.status = ?")
                + " ORDER BY i.opened_at DESC, i.id DESC LIMIT ?";
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = visible.bind(ps, 1);
            if (status != null) {
                ps.setString(i++, status);
            }
            ps.setInt(i, limit);
            List<Incident> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        }
    }

    private Incident read(ResultSet rs) throws SQLException {
        try {
            return new Incident(
                    rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                    rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
                    rs.getTimestamp(11).toInstant(), rs.getTimestamp(12).toInstant(), rs.getString(13),
                    json.readTree(rs.getString(14)), rs.getObject(15, Long.class));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SQLException("incident " + rs.getLong(1) + " has unreadable details", e);
        }
    }
}
