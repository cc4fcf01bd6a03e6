package org.communityguard.hub.dispatch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.communityguard.hub.audit.AuditLog;
import org.communityguard.hub.escalation.Deadlines;
import org.communityguard.hub.incident.IncidentRef;
import org.communityguard.hub.incident.Timeline;
import org.communityguard.hub.notify.Outbox;
import org.communityguard.hub.notify.Recipient;

/**
 * Dispatch (派单): routes an incident per the routing table, records it on the timeline, arms
 * its SLA deadlines and queues the notifications, all in the caller's transaction. Automatic
 * dispatch of newly opened (and reopened) incidents is {@link #dispatchOpen}, run by the loop
 * scheduler; a manual re-dispatch comes through the lifecycle API with an override.
 */
public final class Dispatcher {

    public static final String SYSTEM = "system";

    private final Routing routing;
    private final Deadlines deadlines;
    private final Timeline timeline;
    private final Outbox outbox;
    private final AuditLog audit;

    public Dispatcher(Routing routing, Deadlines deadlines, Timeline timeline, Outbox outbox, AuditLog audit) {
        this.routing = routing;
        this.deadlines = deadlines;
        this.timeline = timeline;
        this.outbox = outbox;
        this.audit = audit;
    }

    /**
     * Dispatches up to {@code limit} open incidents, oldest first. Rows another hub is
     * dispatching are skipped ({@code SKIP LOCKED}), so each incident is dispatched once.
     *
     * @return the incidents dispatched
     */
    public List<Long> dispatchOpen(Connection c, int limit) throws SQLException {
        List<IncidentRef> open = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + IncidentRef.COLUMNS + " FROM incidents i"
                + " WHERE i.status = 'open' ORDER BY i.id LIMIT ? FOR UPDATE SKIP LOCKED")) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    open.add(IncidentRef.read(rs));
                }
            }
        }
        List<Long> done = new ArrayList<>();
        for (IncidentRef i : open) {
            dispatch(c, i, SYSTEM, new Assignment(null, null, null), null);
            done.add(i.id());
        }
        return done;
    }

    /**
     * Dispatches one incident whose row the caller has locked and whose transition it has checked.
     *
     * @param override fields chosen by hand (manual re-dispatch); nulls come from the routing table
     */
    public Assignment dispatch(Connection c, IncidentRef i, String actor, Assignment override, String reason)
            throws SQLException {
        Assignment routed = routing.route(c, i.type(), i.communityId(), i.buildingId());
        Assignment a = routed.with(override);
        if (override.department() != null && override.responder() == null) {
            // Another department: its own on-duty responder, not the previous department's.
            a = new Assignment(a.grid(), a.department(), routing.responder(c, a.grid(), a.department()));
        }
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE incidents SET status = 'dispatched', grid = ?, department = ?, responder = ? WHERE id = ?")) {
            ps.setString(1, a.grid());
            ps.setString(2, a.department());
            ps.setString(3, a.responder());
            ps.setLong(4, i.id());
            ps.executeUpdate();
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("grid", a.grid());
        details.put("department", a.department());
        details.put("responder", a.responder());
        details.put("routed_by", SYSTEM.equals(actor) ? "routing table" : "hand");
        if (a.responder() == null) {
            details.put("warning", "nobody is on duty for this grid and department; escalation will follow");
        }
        if (reason != null) {
            details.put("reason", reason);
        }
        timeline.append(c, i.id(), actor, "dispatched", details);
        deadlines.armIfAbsent(c, i.id(), i.severity());
        audit.record(c, actor, "incident.dispatch", "incident", i.id(), details);

        List<Recipient> to = new ArrayList<>();
        if (a.responder() != null) {
            to.addAll(outbox.users(c, List.of(a.responder())));
        }
        to.addAll(outbox.department(c, a.department()));
        to.addAll(outbox.hub());
        String text = "Dispatched " + i.headline() + "\nGrid: " + orDash(a.grid()) + ", department: " + orDash(a.department())
                + ", responder: " + orDash(a.responder()) + "\nAcknowledge in the CommunityGuard app.";
        outbox.enqueue(c, i.id(), "dispatched", to, "[CommunityGuard] " + i.type() + " dispatched: " + i.summary(), text,
                i.assignedTo(a.grid(), a.department(), a.responder()).payload("dispatched", details));
        return a;
    }

    private static String orDash(String s) {
        return s == null ? "-" : s;
    }
}
