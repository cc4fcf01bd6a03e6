package org.communityguard.hub.incident.lifecycle;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import org.communityguard.hub.auth.Principal;

/**
 * Which incidents a caller may see (domain brief: "a grid worker sees their grid, a department
 * sees what was dispatched to it"). Applied as a SQL condition on {@code incidents i} in every
 * list and detail query, so an incident outside it is simply not found (404), not hinted at.
 * <ul>
 *   <li>admin, property manager, supervisor, auditor: every incident;</li>
 *   <li>grid worker: incidents they are the responder of, plus those of their grid (when set)
 *       and department (when set); with neither set, only their own;</li>
 *   <li>resident: incidents of their own reports.</li>
 * </ul>
 */
public final class Visibility {

    /** A condition over {@code incidents i} with its text parameters, in order. */
    public record Filter(String condition, List<String> params) {

        public static final Filter ALL = new Filter("TRUE", List.of());

        public int bind(PreparedStatement ps, int first) throws SQLException {
            int i = first;
            for (String p : params) {
                ps.setString(i++, p);
            }
            return i;
        }
    }

    private Visibility() {
    }

    public static Filter of(Connection c, Principal who) throws SQLException {
        return switch (who.role()) {
            case ADMIN, PROPERTY_MANAGER, SUPERVISOR, AUDITOR -> Filter.ALL;
            case RESIDENT -> new Filter("EXISTS (SELECT 1 FROM reports r JOIN residents s ON s.id = r.resident_id"
                    + " WHERE r.incident_id = i.id AND s.username = ?)", List.of(who.username()));
            case GRID_WORKER -> gridWorker(c, who.username());
        };
    }

    private static Filter gridWorker(Connection c, String username) throws SQLException {
        String grid = null;
        String department = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT grid, department FROM users WHERE username = ?")) {
            ps.setString(1, username);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    grid = rs.getString(1);
                    department = rs.getString(2);
                }
            }
        }
        if (grid == null && department == null) {
            return new Filter("i.responder = ?", List.of(username));
        }
        if (grid != null && department != null) {
            return new Filter("(i.responder = ? OR (i.grid = ? AND i.department = ?))", List.of(username, grid, department));
        }
        return grid != null
                ? new Filter("(i.responder = ? OR i.grid = ?)", List.of(username, grid))
                : new Filter("(i.responder = ? OR i.department = ?)", List.of(username, department));
    }
}
