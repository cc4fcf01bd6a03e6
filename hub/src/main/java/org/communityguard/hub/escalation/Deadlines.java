package org.communityguard.hub.escalation;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;

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
