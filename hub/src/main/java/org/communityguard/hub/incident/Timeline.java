package org.communityguard.hub.incident;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;

/**
 * Appends to {@code incident_timeline} in the caller's transaction. The table refuses updates
 * and deletes (migration V3), so this is the only way the history grows.
 */
public final class Timeline {

    private final ObjectMapper json;

    public Timeline(ObjectMapper json) {
        this.json = json;
    }

    public void append(Connection c, long incidentId, String actor, String action, Map<String, ?> details)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO incident_timeline (incident_id, actor, action, details) VALUES (?, ?, ?, ?::jsonb)")) {
            ps.setLong(1, incidentId);
            ps.setString(2, actor);
            ps.setString(3, action);
            ps.setString(4, json.writeValueAsString(details));
            ps.executeUpdate();
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("timeline details are plain maps", e);
        }
    }
}
