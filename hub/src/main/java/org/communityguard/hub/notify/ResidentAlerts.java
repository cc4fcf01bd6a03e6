package org.communityguard.hub.notify;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.communityguard.hub.incident.IncidentRef;
import org.communityguard.hub.incident.Timeline;

/**
 * A confirmed fire tells the registered residents of its building (domain brief: residents
 * "get told about emergencies in their building"). The trigger is a timeline entry
 * {@code confirmed} on an open FIRE incident, whoever wrote it (detection confirms a fire
 * when two detectors of a building alarm within minutes). {@code resident_alerts} makes it
 * once per incident, whichever hub sees it first.
 */
public final class ResidentAlerts {

    private final Timeline timeline;
    private final Outbox outbox;

    public ResidentAlerts(Timeline timeline, Outbox outbox) {
        this.timeline = timeline;
        this.outbox = outbox;
    }

    /** Alerts the residents of up to {@code limit} newly confirmed fires; returns how many fires. */
    public int alertConfirmedFires(Connection c, int limit) throws SQLException {
        List<IncidentRef> fires = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + IncidentRef.COLUMNS + " FROM incidents i"
                + " WHERE i.type = 'FIRE' AND i.is_open"
                + " AND EXISTS (SELECT 1 FROM incident_timeline t WHERE t.incident_id = i.id AND t.action = 'confirmed')"
                + " AND NOT EXISTS (SELECT 1 FROM resident_alerts a WHERE a.incident_id = i.id)"
                + " ORDER BY i.id LIMIT ? FOR UPDATE OF i SKIP LOCKED")) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    fires.add(IncidentRef.read(rs));
                }
            }
        }
        for (IncidentRef fire : fires) {
            List<Recipient> to = fire.buildingId() == null ? List.of()
                    : outbox.residents(c, fire.communityId(), fire.buildingId());
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO resident_alerts (incident_id, recipients) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
                ps.setLong(1, fire.id());
                ps.setInt(2, to.size());
                if (ps.executeUpdate() == 0) {
                    continue;
                }
            }
            String text = "FIRE ALARM in your building (" + fire.summary() + "). Leave the building by the stairs now,"
                    + " do not use the lift. Call 119 if you are trapped. - Community property management";
            outbox.enqueue(c, fire.id(), "fire_alert", to, "FIRE ALARM in your building", text,
                    fire.payload("fire_alert", Map.of()));
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("building_id", fire.buildingId());
            details.put("residents_notified", to.size());
            timeline.append(c, fire.id(), "system", "residents_alerted", details);
        }
        return fires.size();
    }
}
