package org.communityguard.hub.dispatch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The routing table, read from the database on every dispatch (so a change through the API
 * applies to the next incident): type -> department ({@code routing_rules}, '*' as default),
 * building -> grid ({@code buildings.grid}), grid and department -> on-duty responder
 * ({@code duty_roster}, the grid's own row before the department-wide '*' row).
 */
public final class Routing {

    public Assignment route(Connection c, String incidentType, String communityId, String buildingId)
            throws SQLException {
        String department = scalar(c, "SELECT coalesce((SELECT department FROM routing_rules WHERE incident_type = ?),"
                + " (SELECT department FROM routing_rules WHERE incident_type = '*'))", incidentType);
        String grid = null;
        if (communityId != null && buildingId != null) {
            grid = scalar(c, "SELECT grid FROM buildings WHERE community_id = ? AND id = ?", communityId, buildingId);
        }
        return new Assignment(grid, department, department == null ? null : responder(c, grid, department));
    }

    /** Who is on duty for the grid (null: only a department-wide entry applies) and department. */
    public String responder(Connection c, String grid, String department) throws SQLException {
        return scalar(c, "SELECT username FROM duty_roster WHERE department = ? AND grid IN (coalesce(?, '*'), '*')"
                + " ORDER BY grid = '*' LIMIT 1", department, grid);
    }

    private static String scalar(Connection c, String sql, String... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
