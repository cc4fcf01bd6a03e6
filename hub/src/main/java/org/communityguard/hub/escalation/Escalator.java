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
import java.util.Optional;
import java.util.Set;
import org.communityguard.hub.audit.AuditLog;
import org.communityguard.hub.auth.Role;
import org.communityguard.hub.incident.IncidentRef;
import org.communityguard.hub.incident.Timeline;
import org.communityguard.hub.notify.Notification;
import org.communityguard.hub.notify.Outbox;
import org.communityguard.hub.notify.Recipient;
import org.communityguard.hub.notify.Undelivered;

/**
 * Escalates overdue steps along the chain (domain brief: worker -> property manager -> street
 * office). The responder was told at dispatch; when a step's deadline passes unmet, level 1
 * tells the property managers (and reminds the responder); one SLA period later, still unmet,
 * level 2 tells the street office (supervisors). Each escalation is a timeline entry by
 * {@code system} plus notifications. A notification that cannot be delivered climbs the same
 * chain ({@link #undelivered}). Deadlines are rows, polled with {@code FOR UPDATE SKIP
 * LOCKED}: several hubs share the work, and a restarted hub picks up where the last one stopped.
 */
public final class Escalator {

    /** One link of the chain: who is told at each level. */
    public record Link(int level, String name, Role role) {
    }

    public static final List<Link> CHAIN = List.of(
            new Link(1, "property_manager", Role.PROPERTY_MANAGER),
            new Link(2, "street_office", Role.SUPERVISOR));

    /** Notifications to residents (a building's fire alert, a reporter told of the resolution). */
    private static final Set<String> RESIDENT_EVENTS = Set.of("fire_alert", "resolved");

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
        outbox.enqueue(c, i.id(), "escalated", link.level(), to, "[CommunityGuard] OVERDUE " + d.step().replace('_', ' ') + ": "
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

    /**
     * A notification the hub gave up on ({@link org.communityguard.hub.notify.NotificationSender})
     * goes one link up the same chain: a responder's, a department's, a resident's or the hub
     * webhook's to the property managers, theirs to the street office, on every address they have
     * but the one that failed. A timeline entry by {@code system} says what was not delivered, why,
     * and who was told instead; past the street office nobody more is told, but the entry is on
     * the incident, in the console, like every other step.
     */
    public void undelivered(Connection c, Undelivered u) throws SQLException {
        Notification n = u.notification();
        IncidentRef i = n.incidentId() == null ? null : incident(c, n.incidentId());
        if (i == null) {
            return;
        }
        int level = u.level() + 1;
        Optional<Link> link = CHAIN.stream().filter(l -> l.level() == level).findFirst();
        List<String> people = link.isEmpty() ? List.of() : usersWithRole(c, link.get().role(), i.grid());
        List<Recipient> to = new ArrayList<>(outbox.users(c, people));
        Recipient failed = new Recipient(n.channel(), n.recipient());
        to.removeIf(failed::equals);
        // A resident's address is personal data, kept off the timeline (supervisors and auditors read it);
        // the property manager who is to call them gets it.
        boolean resident = RESIDENT_EVENTS.contains(n.event());

        Map<String, Object> details = new LinkedHashMap<>();
        details.put("notification", n.id());
        details.put("event", n.event());
        details.put("channel", n.channel());
        details.put("recipient", resident ? null : n.recipient());
        details.put("cause", u.cause().wireName());
        details.put("reason", u.reason());
        details.put("attempts", u.attempts());
        if (u.chases() != null) {
            details.put("step", u.chases());
        }
        details.put("level", level);
        details.put("to", link.map(Link::name).orElse(null));
        details.put("notified", people);
        if (link.isEmpty()) {
            details.put("warning", "the end of the escalation chain: nobody further to tell");
        } else if (people.isEmpty()) {
            details.put("warning", "no " + link.get().name().replace('_', ' ') + " account to tell");
        } else if (to.isEmpty()) {
            details.put("warning", "no other e-mail or phone of a " + link.get().name().replace('_', ' ') + " to tell");
        }
        timeline.append(c, i.id(), "system", Undelivered.EVENT, details);
        audit.record(c, "system", "incident." + Undelivered.EVENT, "incident", i.id(), details);
        if (link.isEmpty()) {
            return;
        }
        String text = "NOT DELIVERED: " + i.headline()
                + "\nThe " + n.event().replace('_', ' ') + " notification (" + n.channel() + ") to "
                + (resident ? "the resident at " : "") + n.recipient() + " failed: " + u.reason() + "."
                + "\nGrid: " + dash(i.grid()) + ", department: " + dash(i.department()) + ", responder: " + dash(i.responder())
                + "\nMake sure they know (" + link.get().name().replace('_', ' ') + ", level " + level + ").";
        outbox.enqueue(c, i.id(), Undelivered.EVENT, level, to, "[CommunityGuard] NOT DELIVERED: " + i.summary(), text,
                i.payload(Undelivered.EVENT, details));
    }

    private static IncidentRef incident(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + IncidentRef.COLUMNS + " FROM incidents i WHERE i.id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? IncidentRef.read(rs) : null;
            }
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
