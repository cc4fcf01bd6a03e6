package org.communityguard.hub.incident;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fields of an incident that the loop (dispatch, transitions, escalation, notifications)
 * works with. {@link #COLUMNS} selects them from {@code incidents i}, in this order.
 */
public record IncidentRef(long id, String type, String severity, String status, String communityId,
                          String buildingId, String grid, String department, String responder, String summary,
                          String deviceId) {

    public static final String COLUMNS = "i.id, i.type, i.severity, i.status, i.community_id, i.building_id,"
            + " i.grid, i.department, i.responder, i.summary, i.device_id";

    public static IncidentRef read(ResultSet rs) throws SQLException {
        return new IncidentRef(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11));
    }

    public IncidentRef assignedTo(String newGrid, String newDepartment, String newResponder) {
        return new IncidentRef(id, type, severity, status, communityId, buildingId, newGrid, newDepartment, newResponder,
                summary, deviceId);
    }

    /** What a webhook receiver gets: the same shape for every event. */
    public Map<String, Object> payload(String event, Map<String, ?> details) {
        Map<String, Object> incident = new LinkedHashMap<>();
        incident.put("id", id);
        incident.put("type", type);
        incident.put("severity", severity);
        incident.put("summary", summary);
        incident.put("community_id", communityId);
        incident.put("building_id", buildingId);
        incident.put("grid", grid);
        incident.put("department", department);
        incident.put("responder", responder);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("event", event);
        p.put("incident", incident);
        p.put("details", details);
        return p;
    }

    /** One line for a person: "#12 FIRE (critical): Fire: smoke detector alarm in Building 1". */
    public String headline() {
        return "#" + id + " " + type + " (" + severity + "): " + summary;
    }
}
