package org.communityguard.hub.incident.lifecycle;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.communityguard.hub.api.HttpError;
import org.communityguard.hub.audit.AuditLog;
import org.communityguard.hub.auth.Principal;
import org.communityguard.hub.auth.Role;
import org.communityguard.hub.dispatch.Assignment;
import org.communityguard.hub.dispatch.Dispatcher;
import org.communityguard.hub.escalation.Deadlines;
import org.communityguard.hub.escalation.Step;
import org.communityguard.hub.incident.IncidentRef;
import org.communityguard.hub.incident.Timeline;
import org.communityguard.hub.notify.Outbox;
import org.communityguard.hub.notify.Recipient;
import org.communityguard.hub.storage.Tx;

/**
 * Carries out one action of the loop for an authenticated person, in one transaction: lock the
 * incident row (within what the caller may see), check the transition table, update the
 * status, append the timeline entry, meet or re-arm deadlines, audit, queue notifications.
 * Two people racing for the same transition serialize on the row lock; the second finds the
 * status changed and gets 409.
 */
public final class IncidentLoop {

    private final DataSource dataSource;
    private final Dispatcher dispatcher;
    private final Deadlines deadlines;
    private final Timeline timeline;
    private final Outbox outbox;
    private final AuditLog audit;
    private final Runnable redispatch;
    private final Runnable send;
    private final LoopListener listener;

    /**
     * @param redispatch asks the loop scheduler to dispatch open incidents now (after a reopen)
     * @param send       asks the notification sender to send now
     * @param listener   told after each committed action (the live board)
     */
    public IncidentLoop(DataSource dataSource, Dispatcher dispatcher, Deadlines deadlines, Timeline timeline,
                        Outbox outbox, AuditLog audit, Runnable redispatch, Runnable send, LoopListener listener) {
        this.dataSource = dataSource;
        this.dispatcher = dispatcher;
        this.deadlines = deadlines;
        this.timeline = timeline;
        this.outbox = outbox;
        this.audit = audit;
        this.redispatch = redispatch;
        this.send = send;
        this.listener = listener;
    }

    /**
     * @param details  what the action records (action_taken, rating and comment, reason, note)
     * @param override for {@link Action#DISPATCH}: the department or responder chosen by hand
     */
    public void act(long id, Action action, Principal who, Map<String, Object> details, Assignment override)
            throws SQLException {
        boolean queued = Tx.run(dataSource, c -> {
            IncidentRef i = lock(c, id, who);
            Status current = Status.fromWireName(i.status())
                    .orElseThrow(() -> new IllegalStateException("incident " + id + " has unknown status " + i.status()));
            if (Lifecycle.apply(current, action) instanceof Lifecycle.Refused refused) {
                throw new HttpError(409, refused.message());
            }
            Status next = Lifecycle.transition(action).to();
            if (action == Action.DISPATCH) {
                checkOverride(c, override);
                dispatcher.dispatch(c, i, who.username(), override, (String) details.get("reason"));
                return true;
            }
            if (action == Action.REOPEN) {
                refuseIfAnotherIsActive(c, i);
            }
            setStatus(c, i, next, action == Action.ACKNOWLEDGE && who.role() == Role.GRID_WORKER ? who.username() : null);
            timeline.append(c, id, who.username(), action.timelineAction(), details);
            audit.record(c, who.username(), "incident." + action.path(), "incident", id, details);
            switch (action) {
                case ACKNOWLEDGE -> deadlines.meet(c, id, List.of(Step.ACKNOWLEDGE));
                case CHECK_IN -> deadlines.meet(c, id, List.of(Step.ACKNOWLEDGE, Step.ON_SITE));
                case RESOLVE -> deadlines.meet(c, id, EnumSet.allOf(Step.class));
                case CLOSE, CANCEL -> deadlines.stop(c, id);
                case REOPEN -> deadlines.rearm(c, id, i.severity());
                default -> { }
            }
            return action == Action.RESOLVE && tellReporter(c, i, (String) details.get("action_taken"));
        });
        LoopListener.tell(listener, List.of(id));
        if (action == Action.REOPEN) {
            redispatch.run();
        }
        if (queued) {
            send.run();
        }
    }

    private static IncidentRef lock(Connection c, long id, Principal who) throws SQLException {
        Visibility.Filter filter = Visibility.of(c, who);
        try (PreparedStatement ps = c.prepareStatement("SELECT " + IncidentRef.COLUMNS + " FROM incidents i"
                + " WHERE i.id = ? AND " + filter.condition() + " FOR UPDATE OF i")) {
            ps.setLong(1, id);
            filter.bind(ps, 2);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw HttpError.notFound("no incident " + id);
                }
                return IncidentRef.read(rs);
            }
        }
    }

    private static void setStatus(Connection c, IncidentRef i, Status next, String responderIfNone) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE incidents SET status = ?, responder = coalesce(responder, ?) WHERE id = ?")) {
            ps.setString(1, next.wireName());
            ps.setString(2, responderIfNone);
            ps.setLong(3, i.id());
            ps.executeUpdate();
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                // Another hub opened one since refuseIfAnotherIsActive looked.
                throw new HttpError(409, "cannot reopen: device " + i.deviceId()
                        + " already has an active " + i.type() + " incident; handle that one");
            }
            throw e;
        }
    }

    /**
     * A device has at most one active incident of a type (open, dispatched, acknowledged, on site).
     * Reopening a resolved or closed one while a newer alarm of the device is being handled would
     * make two: the answer names the active one, and this one can still be rated or cancelled.
     */
    private static void refuseIfAnotherIsActive(Connection c, IncidentRef i) throws SQLException {
        if (i.deviceId() == null) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id FROM incidents WHERE device_id = ? AND type = ? AND is_active AND id <> ?")) {
            ps.setString(1, i.deviceId());
            ps.setString(2, i.type());
            ps.setLong(3, i.id());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    throw new HttpError(409, "cannot reopen: device " + i.deviceId() + " already has an active "
                            + i.type() + " incident, " + rs.getLong(1) + "; handle that one");
                }
            }
        }
    }

    private static void checkOverride(Connection c, Assignment override) throws SQLException {
        if (override.department() != null && !exists(c, "SELECT 1 FROM departments WHERE id = ?", override.department())) {
            throw HttpError.badRequest("no department '" + override.department() + "'");
        }
        if (override.responder() != null && !exists(c, "SELECT 1 FROM users WHERE username = ? AND role IN"
                + " ('grid_worker', 'property_manager', 'admin')", override.responder())) {
            throw HttpError.badRequest("no staff user '" + override.responder() + "' who can respond");
        }
    }

    /** A resolved resident report: the reporter hears what was done and is asked to rate it. */
    private boolean tellReporter(Connection c, IncidentRef i, String actionTaken) throws SQLException {
        String notifyBy = null;
        String address = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT s.notify_by, CASE s.notify_by WHEN 'sms' THEN s.phone"
                + " ELSE s.email END FROM reports r JOIN residents s ON s.id = r.resident_id WHERE r.incident_id = ?")) {
            ps.setLong(1, i.id());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    notifyBy = rs.getString(1);
                    address = rs.getString(2);
                }
            }
        }
        if (address == null || "none".equals(notifyBy)) {
            return false;
        }
        String text = "Your report #" + i.id() + " was handled: " + actionTaken
                + ". Please rate it (1-5) in the app, or tell the property office.";
        return outbox.enqueue(c, i.id(), "resolved", List.of(new Recipient(notifyBy, address)),
                "[CommunityGuard] Your report was handled", text, i.payload("resolved", Map.of())) > 0;
    }

    private static boolean exists(Connection c, String sql, String param) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, param);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
