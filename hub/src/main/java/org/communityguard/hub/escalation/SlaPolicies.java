package org.communityguard.hub.escalation;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** SLA policies per severity, in {@code sla_policies} (defaults in migration V3). */
public final class SlaPolicies {

    private static final String SELECT = "SELECT severity, acknowledge_s, on_site_s, resolve_s, updated_at, updated_by"
            + " FROM sla_policies";

    public List<SlaPolicy> all(Connection c) throws SQLException {
        List<SlaPolicy> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(SELECT
                + " ORDER BY array_position(ARRAY['critical','major','minor','info'], severity), severity");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(read(rs));
            }
        }
        return out;
    }

    public Optional<SlaPolicy> forSeverity(Connection c, String severity) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE severity = ?")) {
            ps.setString(1, severity);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    public SlaPolicy put(Connection c, String severity, int acknowledgeS, int onSiteS, int resolveS, String by)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO sla_policies"
                + " (severity, acknowledge_s, on_site_s, resolve_s, updated_at, updated_by) VALUES (?, ?, ?, ?, now(), ?)"
                + " ON CONFLICT (severity) DO UPDATE SET acknowledge_s = excluded.acknowledge_s,"
                + " on_site_s = excluded.on_site_s, resolve_s = excluded.resolve_s,"
                + " updated_at = excluded.updated_at, updated_by = excluded.updated_by")) {
            ps.setString(1, severity);
            ps.setInt(2, acknowledgeS);
            ps.setInt(3, onSiteS);
            ps.setInt(4, resolveS);
            ps.setString(5, by);
            ps.executeUpdate();
        }
        return forSeverity(c, severity).orElseThrow();
    }

    private static SlaPolicy read(ResultSet rs) throws SQLException {
        return new SlaPolicy(rs.getString(1), rs.getInt(2), rs.getInt(3), rs.getInt(4),
                rs.getTimestamp(5).toInstant(), rs.getString(6));
    }
}
