package org.communityguard.hub.incident.threshold;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.communityguard.hub.audit.AuditLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thresholds of every community, cached for the ingest writers and kept in the
 * {@code thresholds} table. A change through {@link #update} is visible to this hub at once; other
 * hub instances pick it up at their next {@link #reload} (the liveness monitor reloads every
 * {@code incident.liveness-interval}).
 *
 * <p>Readings carry no community: a gateway's readings are judged by its community's
 * thresholds, a gateway that belongs to no community by the defaults.
 */
public final class Thresholds {

    private static final Logger log = LoggerFactory.getLogger(Thresholds.class);

    /** What the writers read: replaced whole on reload, never changed in place. */
    private record Snapshot(Map<String, ThresholdSet> byCommunity, Map<String, String> communityOfGateway) {
    }

    /** One stored override, as the API shows it. */
    public record Override(Threshold threshold, double value, Instant updatedAt, String updatedBy) {
    }

    private final DataSource dataSource;
    private final AuditLog audit;
    private volatile Snapshot snapshot = new Snapshot(Map.of(), Map.of());

    public Thresholds(DataSource dataSource, AuditLog audit) {
        this.dataSource = dataSource;
        this.audit = audit;
    }

    /** The thresholds that judge readings arriving from this gateway. */
    public ThresholdSet forGateway(String gatewayId) {
        Snapshot s = snapshot;
        String community = s.communityOfGateway().get(gatewayId);
        return community == null ? ThresholdSet.DEFAULTS : s.byCommunity().getOrDefault(community, ThresholdSet.DEFAULTS);
    }

    /** A community's thresholds; the defaults for an unknown or null community. */
    public ThresholdSet forCommunity(String communityId) {
        return communityId == null ? ThresholdSet.DEFAULTS
                : snapshot.byCommunity().getOrDefault(communityId, ThresholdSet.DEFAULTS);
    }

    /** Every community known at the last reload. */
    public Set<String> communities() {
        return snapshot.byCommunity().keySet();
    }

    /**
     * Reads communities, gateways and overrides again. Serialized, so a reload that started
     * before a change committed cannot overwrite the one that started after it.
     */
    public synchronized void reload() throws SQLException {
        Map<String, Map<Threshold, Double>> overrides = new HashMap<>();
        Map<String, String> gateways = new HashMap<>();
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT id FROM communities")) {
                while (rs.next()) {
                    overrides.put(rs.getString(1), new EnumMap<>(Threshold.class));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT id, community_id FROM gateways WHERE community_id IS NOT NULL")) {
                while (rs.next()) {
                    gateways.put(rs.getString(1), rs.getString(2));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT community_id, scope, key, value FROM thresholds")) {
                while (rs.next()) {
                    Optional<Threshold> t = Threshold.find(rs.getString(2), rs.getString(3));
                    if (t.isPresent()) {
                        overrides.get(rs.getString(1)).put(t.get(), rs.getDouble(4));
                    } else {
                        // Written by another hub version: keep it, but it means nothing here.
                        log.debug("ignoring unknown threshold {}.{} of community {}", rs.getString(2), rs.getString(3),
                                rs.getString(1));
                    }
                }
            }
        }
        Map<String, ThresholdSet> sets = new HashMap<>();
        overrides.forEach((community, values) -> sets.put(community, new ThresholdSet(values)));
        snapshot = new Snapshot(Map.copyOf(sets), Map.copyOf(gateways));
    }

    /** The stored overrides of a community; empty when it has none (or does not exist). */
    public List<Override> overrides(String communityId) throws SQLException {
        List<Override> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT scope, key, value, updated_at, updated_by FROM thresholds WHERE community_id = ?")) {
            ps.setString(1, communityId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Optional<Threshold> t = Threshold.find(rs.getString(1), rs.getString(2));
                    if (t.isPresent()) {
                        out.add(new Override(t.get(), rs.getDouble(3), rs.getTimestamp(4).toInstant(), rs.getString(5)));
                    }
                }
            }
        }
        return out;
    }

    public boolean communityExists(String communityId) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM communities WHERE id = ?")) {
            ps.setString(1, communityId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Applies {@code changes} (a null value goes back to the default) as one change: either all
     * or none. Concurrent updates of one community are serialized, so two of them cannot together
     * leave a clear threshold on the wrong side of its raise threshold.
     *
     * @return false when the community does not exist
     * @throws IllegalArgumentException naming every problem, when the result would be inconsistent
     */
    public boolean update(String communityId, Map<Threshold, Double> changes, String by) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM communities WHERE id = ? FOR UPDATE")) {
                    ps.setString(1, communityId);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            c.rollback();
                            return false;
                        }
                    }
                }
                Map<Threshold, Double> current = new EnumMap<>(Threshold.class);
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT scope, key, value FROM thresholds WHERE community_id = ?")) {
                    ps.setString(1, communityId);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            Optional<Threshold> t = Threshold.find(rs.getString(1), rs.getString(2));
                            if (t.isPresent()) {
                                current.put(t.get(), rs.getDouble(3));
                            }
                        }
                    }
                }
                List<String> problems = new ThresholdSet(current).with(changes).consistency();
                if (!problems.isEmpty()) {
                    c.rollback();
                    throw new IllegalArgumentException(String.join("; ", problems));
                }
                try (PreparedStatement upsert = c.prepareStatement(
                        "INSERT INTO thresholds (community_id, scope, key, value, updated_by) VALUES (?, ?, ?, ?, ?)"
                                + " ON CONFLICT (community_id, scope, key) DO UPDATE SET value = excluded.value,"
                                + " updated_at = now(), updated_by = excluded.updated_by");
                     PreparedStatement delete = c.prepareStatement(
                             "DELETE FROM thresholds WHERE community_id = ? AND scope = ? AND key = ?")) {
                    for (Map.Entry<Threshold, Double> e : changes.entrySet()) {
                        Threshold t = e.getKey();
                        if (e.getValue() == null) {
                            delete.setString(1, communityId);
                            delete.setString(2, t.scope());
                            delete.setString(3, t.key());
                            delete.addBatch();
                        } else {
                            upsert.setString(1, communityId);
                            upsert.setString(2, t.scope());
                            upsert.setString(3, t.key());
                            upsert.setDouble(4, e.getValue());
                            upsert.setString(5, by);
                            upsert.addBatch();
                        }
                    }
                    upsert.executeBatch();
                    delete.executeBatch();
                }
                // A configuration change is audited in the same transaction, as the loop's are.
                Map<String, Object> details = new java.util.TreeMap<>();
                changes.forEach((t, v) -> details.put(t.scope() + "." + t.key(), v));
                audit.record(c, by, "thresholds.put", "community", communityId, details);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        log.info("thresholds of community {} changed by {}: {}", communityId, by, describe(changes));
        try {
            reload();
        } catch (SQLException e) {
            // Committed; the liveness monitor's next reload picks it up.
            log.warn("thresholds of community {} changed, but reloading them failed: {}", communityId, e.getMessage());
        }
        return true;
    }

    private static String describe(Map<Threshold, Double> changes) {
        List<String> parts = new ArrayList<>();
        changes.forEach((t, v) -> parts.add(t.scope() + "." + t.key() + "=" + (v == null ? "default" : Threshold.format(v))));
        return String.join(", ", parts);
    }
}
