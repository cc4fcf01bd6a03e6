package org.communityguard.hub.incident.lifecycle;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.communityguard.hub.auth.Principal;

/**
 * Which incidents a caller may see (domain brief: "a grid worker sees their grid, a department
 * sees what was dispatched to it"). Applied as a SQL condition on {@code incidents i} in every
 * list and detail query, so an incident outside it is simply not found (404), not hinted at;
 * and, by the same {@link Viewer}, to the incidents pushed over the live feed.
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

    /**
     * One caller's rule, as data: {@link #filter} for SQL, {@link #sees} for an incident in
     * memory, built from the same fields so the two cannot drift apart.
     *
     * @param kind       {@code ALL}, {@code OWN_REPORTS} (a resident) or {@code SHARE} (a grid worker)
     * @param grid       the grid worker's grid, or null
     * @param department the grid worker's department, or null
     */
    public record Viewer(Kind kind, String username, String grid, String department) {

        public enum Kind { ALL, OWN_REPORTS, SHARE }

        public Filter filter() {
            return switch (kind) {
                case ALL -> Filter.ALL;
                case OWN_REPORTS -> new Filter("EXISTS (SELECT 1 FROM reports r JOIN residents s ON s.id = r.resident_id"
                        + " WHERE r.incident_id = i.id AND s.username = ?)", List.of(username));
                case SHARE -> share();
            };
        }

        /**
         * Whether this caller sees an incident dispatched to {@code grid}, {@code department} and
         * {@code responder} (any may be null). Residents' reports are not known in memory: false.
         */
        public boolean sees(String incidentGrid, String incidentDepartment, String incidentResponder) {
            return switch (kind) {
                case ALL -> true;
                case OWN_REPORTS -> false;
                case SHARE -> username.equals(incidentResponder) || (hasShare()
                        && (grid == null || grid.equals(incidentGrid))
                        && (department == null || department.equals(incidentDepartment)));
            };
        }

        private boolean hasShare() {
            return grid != null || department != null;
        }

        private Filter share() {
            List<String> params = new ArrayList<>(List.of(username));
            List<String> terms = new ArrayList<>();
            if (grid != null) {
                terms.add("i.grid = ?");
                params.add(grid);
            }
            if (department != null) {
                terms.add("i.department = ?");
                params.add(department);
            }
            return hasShare()
                    ? new Filter("(i.responder = ? OR (" + String.join(" AND ", terms) + "))", params)
                    : new Filter("i.responder = ?", params);
        }
    }

    private Visibility() {
    }

    public static Filter of(Connection c, Principal who) throws SQLException {
        return viewer(c, who).filter();
    }

    public static Viewer viewer(Connection c, Principal who) throws SQLException {
        return switch (who.role()) {
            case ADMIN, PROPERTY_MANAGER, SUPERVISOR, AUDITOR -> new Viewer(Viewer.Kind.ALL, who.username(), null, null);
            case RESIDENT -> new Viewer(Viewer.Kind.OWN_REPORTS, who.username(), null, null);
            case GRID_WORKER -> gridWorker(c, who.username());
        };
    }

    private static Viewer gridWorker(Connection c, String username) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT grid, department FROM users WHERE username = ?")) {
            ps.setString(1, username);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? new Viewer(Viewer.Kind.SHARE, username, rs.getString(1), rs.getString(2))
                        : new Viewer(Viewer.Kind.SHARE, username, null, null);
            }
        }
    }
}
