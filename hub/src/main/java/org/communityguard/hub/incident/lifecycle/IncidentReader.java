package org.communityguard.hub.incident.lifecycle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.communityguard.hub.audit.AuditLog;
import org.communityguard.hub.auth.Principal;
import org.communityguard.hub.auth.Role;

/** Reads an {@link IncidentView}, within what the caller may see; an audited read when it shows a reporter. */
public final class IncidentReader {

    private static final String SELECT = """
            SELECT i.id, i.type, i.severity, i.status, i.community_id, i.building_id, b.name, i.device_id,
                   coalesce(d.location, r.location), i.gateway_id, i.occurred_at, i.opened_at, i.summary, i.details::text,
                   i.grid, i.department, i.responder
            FROM incidents i
            LEFT JOIN devices d ON d.id = i.device_id
            LEFT JOIN buildings b ON b.community_id = i.community_id AND b.id = i.building_id
            LEFT JOIN reports r ON r.incident_id = i.id
            WHERE i.id = ? AND\s""";

    private final ObjectMapper json;
    private final AuditLog audit;

    public IncidentReader(ObjectMapper json, AuditLog audit) {
        this.json = json;
        this.audit = audit;
    }

    public Optional<IncidentView> read(Connection c, long id, Principal who) throws SQLException {
        Visibility.Filter filter = Visibility.of(c, who);
        try (PreparedStatement ps = c.prepareStatement(SELECT + filter.condition())) {
            ps.setLong(1, id);
            filter.bind(ps, 2);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new IncidentView(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9),
                        rs.getString(10), instant(rs.getTimestamp(11)), instant(rs.getTimestamp(12)), rs.getString(13),
                        tree(rs.getString(14)), rs.getString(15), rs.getString(16), rs.getString(17),
                        timeline(c, id), deadlines(c, id), report(c, id, who), notifications(c, id),
                        actions(rs.getString(4), who)));
            }
        }
    }

    private List<IncidentView.Entry> timeline(Connection c, long id) throws SQLException {
        List<IncidentView.Entry> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT at, actor, action, details::text FROM incident_timeline"
                + " WHERE incident_id = ? ORDER BY seq")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new IncidentView.Entry(instant(rs.getTimestamp(1)), rs.getString(2), rs.getString(3),
                            tree(rs.getString(4))));
                }
            }
        }
        return out;
    }

    private static List<IncidentView.Deadline> deadlines(Connection c, long id) throws SQLException {
        List<IncidentView.Deadline> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT step, due_at, met_at, level,"
                + " met_at IS NULL AND due_at < now() FROM incident_deadlines WHERE incident_id = ?"
                + " ORDER BY array_position(ARRAY['acknowledge','on_site','resolve'], step)")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new IncidentView.Deadline(rs.getString(1), instant(rs.getTimestamp(2)),
                            instant(rs.getTimestamp(3)), rs.getInt(4), rs.getBoolean(5)));
                }
            }
        }
        return out;
    }

    private IncidentView.Report report(Connection c, long id, Principal who) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT r.id, r.category, r.text, r.location, r.channel,"
                + " r.resident_id, coalesce(s.name, r.caller_name), coalesce(s.phone, r.caller_phone), r.entered_by,"
                + " r.photo_sha256 IS NOT NULL, r.created_at"
                + " FROM reports r LEFT JOIN residents s ON s.id = r.resident_id WHERE r.incident_id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                long reportId = rs.getLong(1);
                long residentId = rs.getLong(6);
                Long resident = rs.wasNull() ? null : residentId;
                IncidentView.Reporter reporter = null;
                // Staff who handle the report may call the reporter back; supervisors and auditors see aggregates.
                boolean staff = who.role() == Role.ADMIN || who.role() == Role.PROPERTY_MANAGER
                        || who.role() == Role.GRID_WORKER;
                if (staff || who.role() == Role.RESIDENT) {
                    reporter = new IncidentView.Reporter(resident, rs.getString(7), rs.getString(8));
                }
                String enteredBy = who.role() == Role.RESIDENT ? null : rs.getString(9);
                String photo = rs.getBoolean(10) ? "/api/reports/" + reportId + "/photo" : null;
                IncidentView.Report report = new IncidentView.Report(reportId, rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getString(5), reporter, enteredBy, photo, instant(rs.getTimestamp(11)));
                if (staff) {
                    audit.record(c, who.username(), "personal_data.read", "report", reportId,
                            Map.of("fields", List.of("reporter_name", "reporter_phone"), "incident_id", id));
                }
                return report;
            }
        }
    }

    private static List<String> actions(String status, Principal who) {
        return Status.fromWireName(status).map(s -> Lifecycle.allowed(s, who.role()).stream().map(Action::path).toList())
                .orElse(List.of());
    }

    private static List<IncidentView.Sent> notifications(Connection c, long id) throws SQLException {
        List<IncidentView.Sent> out = new ArrayList<>();
        // Residents' addresses (fire alerts to a building, a reporter told their report was handled) are
        // personal data: not shown here, where supervisors and auditors read too and nothing audits it.
        try (PreparedStatement ps = c.prepareStatement("SELECT event, channel, CASE WHEN event IN ('fire_alert', 'resolved')"
                + " THEN NULL ELSE recipient END, status, attempts FROM notification_outbox WHERE incident_id = ? ORDER BY id")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new IncidentView.Sent(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getInt(5)));
                }
            }
        }
        return out;
    }

    private com.fasterxml.jackson.databind.JsonNode tree(String text) throws SQLException {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new SQLException("unreadable JSON in the incident tables", e);
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
