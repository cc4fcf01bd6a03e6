package org.communityguard.hub.escalation;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.communityguard.hub.audit.AuditLog;
import org.communityguard.hub.auth.Role;
import org.communityguard.hub.incident.IncidentRef;
import org.communityguard.hub.incident.Timeline;
import org.communityguard.hub.notify.Outbox;
import org.communityguard.hub.notify.Recipient;

/**
 * Escalates overdue steps along the chain (domain brief: worker -> property manager -> street
 * office). The responder was told at dispatch; when a step's deadline passes unmet, level 1
 * tells the property managers (and reminds the responder); one SLA period later, still unmet,
 * level 2 tells the street office (supervisors). Each escalation is a timeline entry by
 * {@code system} plus notifications. Deadlines are rows, polled with {@code FOR UPDATE SKIP
 * LOCKED}: several hubs share the work, and a restarted hub picks up where the last one stopped.
 */
public final class Escalator {

    /** One link of the chain: who is told at each level. */
    public record Link(int level, String name, Role role) {
    }

    public static final List<Link> CHAIN = List.of(
            new Link(1, "property_manager", Role.PROPERTY_MANAGER),
            new Link(2, "street_office", Role.SUPERVISOR));

    private final Timeline timeline;
    private final Outbox outbox;
    private final AuditLog audit;

    public Escalator(Timeline timeline, Outbox outbox, AuditLog audit) {
        this.timeline = timeline;
        this.outbox = outbox;
        this.audit = audit;
    }

    private record Due(IncidentRef incident, String step, int level, int periodS, Instant dueAt) {
    }

    /** Escalates up to {@code limit} due deadlines; returns their incidents' ids, one per deadline. */
    public List<Long> escalateDue(Connection c, int limit) throws SQLException {
        List<Due> due = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + IncidentRef.COLUMNS
                + ", d.step, d.level, d.period_s, d.due_at FROM incident_deadlines d JOIN incidents i ON i.id = d.incident_id"
                + " WHERE d.next_at <= now() AND i.is_open ORDER BY d.next_at LIMIT ? FOR UPDATE OF d SKIP LOCKED")) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    due.add(new Due(IncidentRef.read(rs), rs.getString(12), rs.getInt(13), rs.getInt(14),
                            rs.getTimestamp(15).toInstant()));
                }
            }
        }
        for (Due d : due) {
            escalate(c, d);
        }
        return due.stream().map(d -> d.incident().id()).toList();
    }

    private void escalate(Connection c, Due d) throws SQLException {
        int level = d.level() + 1;
        Link link = CHAIN.get(Math.min(level, CHAIN.size()) - 1);
        IncidentRef i = d.incident();
        List<String> people = usersWithRole(c, link.role(), i.grid());
        List<String> told = new ArrayList<>(people);
        if (level == 1 && i.responder() != null && !told.contains(i.responder())) {
            told.add(0, i.responder());
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("step", d.step());
        details.put("level", level);
        details.put("to", link.name());
        details.put("notified", told);
        details.put("due_at", d.dueAt().toString());
        if (people.isEmpty()) {
            details.put("warning", "no " + link.name().replace('_', ' ') + " account to tell");
        }
        timeline.append(c, i.id(), "system", "escalated", details);
        audit.record(c, "system", "incident.escalate", "incident", i.id(), details);

        List<Recipient> to = new ArrayList<>(outbox.users(c, told));
        to.addAll(outbox.hub());
        String text = "OVERDUE (" + d.step().replace('_', ' ') + ", due " + d.dueAt() + "): " + i.headline()
                + "\nGrid: " + dash(i.grid()) + ", department: " + dash(i.department()) + ", responder: " + dash(i.responder())
                + "\nEscalated to the " + link.name().replace('_', ' ') + " (level " + level + ").";
        outbox.enqueue(c, i.id(), "escalated", to, "[CommunityGuard] OVERDUE " + d.step().replace('_', ' ') + ": "
                + i.summary(), text, i.payload("escalated", details));

        try (PreparedStatement ps = c.prepareStatement("UPDATE incident_deadlines SET level = ?,"
                + " next_at = CASE WHEN ? THEN next_at + period_s * interval '1 second' END"
                + " WHERE incident_id = ? AND step = ?")) {
            ps.setInt(1, level);
            ps.setBoolean(2, level < CHAIN.size());
            ps.setLong(3, i.id());
            ps.setString(4, d.step());
            ps.executeUpdate();
        }
    }

    /** Users of a role for a grid: those assigned to it, and those with no grid (community-wide). */
    private static List<String> usersWithRole(Connection c, Role role, String grid) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT username FROM users WHERE role = ?"
                + " AND (grid IS NULL OR grid = ?) ORDER BY username")) {
            ps.setString(1, role.wireName());
            ps.setString(2, grid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private static String dash(String s) {
        return s == null ? "-" : s;
    }
}
