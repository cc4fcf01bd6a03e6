package org.communityguard.hub.escalation;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;

/**
 * Per-incident step deadlines in {@code incident_deadlines}. Armed at the first dispatch
 * (counted from the incident's opening, so dispatch delay counts against the SLA), met by
 * the loop's actions, stopped on close or cancel, re-armed from now on reopen.
 */
public final class Deadlines {

    private final SlaPolicies policies;

    public Deadlines(SlaPolicies policies) {
        this.policies = policies;
    }

    /** Arms the three deadlines when the incident has none yet. Severity without a policy: no deadlines. */
    public void armIfAbsent(Connection c, long incidentId, String severity) throws SQLException {
        var policy = policies.forSeverity(c, severity);
        if (policy.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO incident_deadlines"
                + " (incident_id, step, due_at, period_s, next_at)"
                + " SELECT i.id, ?, i.opened_at + ? * interval '1 second', ?, i.opened_at + ? * interval '1 second'"
                + " FROM incidents i WHERE i.id = ? ON CONFLICT (incident_id, step) DO NOTHING")) {
            for (Step step : Step.values()) {
                int s = policy.get().seconds(step);
                ps.setString(1, step.wireName());
                ps.setInt(2, s);
                ps.setInt(3, s);
                ps.setInt(4, s);
                ps.setLong(5, incidentId);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Marks steps met (now); a met step escalates no further. */
    public void meet(Connection c, long incidentId, Collection<Step> steps) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE incident_deadlines SET met_at = coalesce(met_at, now()),"
                + " next_at = NULL WHERE incident_id = ? AND step = ANY (?)")) {
            ps.setLong(1, incidentId);
            ps.setArray(2, c.createArrayOf("text", steps.stream().map(Step::wireName).toArray()));
            ps.executeUpdate();
        }
    }

    /** Nothing more to chase: the incident is closed or was a false alarm. */
    public void stop(Connection c, long incidentId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE incident_deadlines SET next_at = NULL WHERE incident_id = ?")) {
            ps.setLong(1, incidentId);
            ps.executeUpdate();
        }
    }

    /**
     * Incidents whose severity was raised (a confirmed fire in their building) answer to the
     * stricter policy at once: each unmet step's deadline moves earlier by the difference of the
     * two periods, from the same start (opening, or reopening). A step already escalated keeps
     * its escalation schedule; one not yet due is chased from its new deadline. A policy that is
     * not stricter changes nothing.
     */
    public static void tighten(Connection c, List<Long> incidentIds, String severity) throws SQLException {
        if (incidentIds.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE incident_deadlines d
                SET due_at = d.due_at - (d.period_s - p.s) * interval '1 second',
                    period_s = p.s,
                    next_at = CASE WHEN d.next_at IS NULL OR d.level > 0 THEN d.next_at
                                   ELSE d.due_at - (d.period_s - p.s) * interval '1 second' END
                FROM (SELECT 'acknowledge' AS step, acknowledge_s AS s FROM sla_policies WHERE severity = ?
                      UNION ALL SELECT 'on_site', on_site_s FROM sla_policies WHERE severity = ?
                      UNION ALL SELECT 'resolve', resolve_s FROM sla_policies WHERE severity = ?) p
                WHERE d.incident_id = ANY (?) AND d.step = p.step AND d.met_at IS NULL AND p.s < d.period_s
                """)) {
            ps.setString(1, severity);
            ps.setString(2, severity);
            ps.setString(3, severity);
            ps.setArray(4, c.createArrayOf("bigint", incidentIds.toArray()));
            ps.executeUpdate();
        }
    }

    /** A reopened incident gets a fresh set of deadlines from now, by the policy in force now. */
    public void rearm(Connection c, long incidentId, String severity) throws SQLException {
        var policy = policies.forSeverity(c, severity);
        if (policy.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO incident_deadlines"
                + " (incident_id, step, due_at, period_s, next_at, level, met_at)"
                + " VALUES (?, ?, now() + ? * interval '1 second', ?, now() + ? * interval '1 second', 0, NULL)"
                + " ON CONFLICT (incident_id, step) DO UPDATE SET due_at = excluded.due_at, period_s = excluded.period_s,"
                + " next_at = excluded.next_at, level = 0, met_at = NULL")) {
            for (Step step : Step.values()) {
                int s = policy.get().seconds(step);
                ps.setLong(1, incidentId);
                ps.setString(2, step.wireName());
                ps.setInt(3, s);
                ps.setInt(4, s);
                ps.setInt(5, s);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
