package org.communityguard.hub.incident;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.communityguard.hub.escalation.Deadlines;
import org.communityguard.hub.incident.threshold.Threshold;
import org.communityguard.hub.incident.threshold.ThresholdSet;
import org.communityguard.hub.incident.threshold.Thresholds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what the rules found, inside the caller's transaction, then announces it after commit.
 *
 * <ol>
 *   <li>Opens the candidates through {@link IncidentStore#open} (the database keeps one open
 *       incident per device and type, whatever the number of hub threads or instances).</li>
 *   <li>Groups each new incident that has a building with the open incidents of that building
 *       that occurred within {@code community.group_window_s} of it (FIRE with FIRE: within
 *       {@code smoke_detector.fire_confirm_window_s}). A transaction-scoped advisory lock per
 *       building serializes this across hub instances, so two fires committed at the same moment
 *       by two hubs still find each other.</li>
 *   <li>A group holding FIRE incidents of two or more detectors is a <b>confirmed fire</b>: the
 *       group gets {@code confirmed_at}; each FIRE gets a {@code confirmed} timeline entry,
 *       {@code details.confirmed} and a summary starting "Confirmed fire"; every other open
 *       incident of the group is raised to critical (timeline {@code severity_raised}).</li>
 *   <li>Tells a resolved incident of the same device and type (waiting for its rating) that its
 *       device alarmed again: timeline {@code alarmed_again} with the new incident's id.</li>
 *   <li>Adds notes (sensor back to normal, gateway linkage) to the timeline of the device's
 *       incident of that type that is still being handled, else of the newest one waiting for
 *       its rating, if there is one.</li>
 * </ol>
 */
public final class IncidentRecorder {

    private static final Logger log = LoggerFactory.getLogger(IncidentRecorder.class);

    /** What one transaction recorded, for {@link #announce} after it commits. */
    public record Recorded(List<IncidentStore.Opened> opened, List<FireConfirmation> confirmations,
                           Map<IncidentType, Integer> alreadyOpen) {

        public static final Recorded NOTHING = new Recorded(List.of(), List.of(), Map.of());

        public boolean isEmpty() {
            return opened.isEmpty() && confirmations.isEmpty() && alreadyOpen.isEmpty();
        }
    }

    private record Placed(long id, IncidentType type, String communityId, String buildingId, Timestamp occurredAt) {
    }

    private final IncidentStore store;
    private final Thresholds thresholds;
    private final ObjectMapper json;
    private final MeterRegistry registry;

    public IncidentRecorder(IncidentStore store, Thresholds thresholds, ObjectMapper json, MeterRegistry registry) {
        this.store = store;
        this.thresholds = thresholds;
        this.json = json;
        this.registry = registry;
    }

    public Recorded record(Connection c, Findings findings) throws SQLException {
        if (findings.isEmpty()) {
            return Recorded.NOTHING;
        }
        List<IncidentStore.Opened> opened = findings.candidates().isEmpty()
                ? List.of() : store.open(c, findings.candidates());
        List<FireConfirmation> confirmations = List.of();
        if (!opened.isEmpty()) {
            tellResolved(c, opened);
            confirmations = group(c, opened);
        }
        addNotes(c, findings.notes());
        return new Recorded(opened, confirmations, alreadyOpen(findings.candidates(), opened));
    }

    /** After commit: metrics, a log line per incident, and the listener (dispatch, notification). */
    public void announce(Recorded recorded, IncidentListener listener) {
        recorded.alreadyOpen().forEach((type, n) ->
                registry.counter("hub.incidents.already_open", "type", type.name()).increment(n));
        for (IncidentStore.Opened o : recorded.opened()) {
            registry.counter("hub.incidents.opened", "type", o.type().name()).increment();
            log.info("incident {} opened: {} at device {}", o.id(), o.type(), o.deviceId());
        }
        for (FireConfirmation f : recorded.confirmations()) {
            registry.counter("hub.incidents.fires_confirmed").increment();
            log.warn("confirmed fire in building {} of {}: incidents {}", f.buildingId(), f.communityId(), f.fireIncidentIds());
        }
        try {
            if (!recorded.opened().isEmpty()) {
                listener.opened(recorded.opened());
            }
            if (!recorded.confirmations().isEmpty()) {
                listener.fireConfirmed(recorded.confirmations());
            }
        } catch (RuntimeException e) {
            // The incidents are committed and visible; a failing listener must not undo that.
            log.error("incident listener failed for {}", recorded.opened(), e);
        }
    }

    private static Map<IncidentType, Integer> alreadyOpen(List<Candidate> candidates, List<IncidentStore.Opened> opened) {
        Set<String> seen = new HashSet<>();
        Map<IncidentType, Integer> counts = new EnumMap<>(IncidentType.class);
        for (IncidentStore.Opened o : opened) {
            seen.add(o.deviceId() + '\u0000' + o.type());
        }
        for (Candidate k : candidates) {
            if (seen.add(k.deviceId() + '\u0000' + k.type())) {
                counts.merge(k.type(), 1, Integer::sum);
            }
        }
        return counts;
    }

    // ---- Grouping and confirmed fires.

    private List<FireConfirmation> group(Connection c, List<IncidentStore.Opened> opened) throws SQLException {
        List<Placed> placed = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, type, community_id, building_id, occurred_at"
                + " FROM incidents WHERE id = ANY(?) AND building_id IS NOT NULL")) {
            Array ids = c.createArrayOf("int8", opened.stream().map(IncidentStore.Opened::id).toArray());
            ps.setArray(1, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    placed.add(new Placed(rs.getLong(1), IncidentType.valueOf(rs.getString(2)), rs.getString(3),
                            rs.getString(4), rs.getTimestamp(5)));
                }
            }
        }
        if (placed.isEmpty()) {
            return List.of();
        }
        // One lock per building, taken in a fixed order so two transactions never wait on each other in a circle.
        placed.sort(Comparator.comparing((Placed p) -> String.valueOf(p.communityId())).thenComparing(Placed::buildingId)
                .thenComparing(Placed::occurredAt).thenComparingLong(Placed::id));
        Map<Long, FireConfirmation> confirmations = new LinkedHashMap<>();
        String lockedBuilding = null;
        for (Placed p : placed) {
            String building = p.communityId() + "/" + p.buildingId();
            if (!building.equals(lockedBuilding)) {
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
                    ps.setString(1, "incident-group/" + building);
                    ps.execute();
                }
                lockedBuilding = building;
            }
            ThresholdSet t = thresholds.forCommunity(p.communityId());
            long groupId = joinOrCreate(c, p, t);
            if (p.type() == IncidentType.FIRE) {
                FireConfirmation f = confirmFire(c, p, groupId, t);
                if (f != null) {
                    confirmations.merge(groupId, f, FireConfirmation::merge);
                }
            }
            raiseIfConfirmed(c, groupId);
        }
        return List.copyOf(confirmations.values());
    }

    private static long joinOrCreate(Connection c, Placed p, ThresholdSet t) throws SQLException {
        double groupWindow = t.get(Threshold.GROUP_WINDOW);
        double fireWindow = Math.max(groupWindow, t.get(Threshold.FIRE_CONFIRM_WINDOW));
        Long groupId = null;
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT i.group_id FROM incidents i
                WHERE i.is_open AND i.community_id = ? AND i.building_id = ? AND i.id <> ? AND i.group_id IS NOT NULL
                  AND abs(extract(epoch FROM i.occurred_at - ?)) <= CASE WHEN ? AND i.type = 'FIRE' THEN ? ELSE ? END
                ORDER BY (? AND i.type = 'FIRE') DESC, abs(extract(epoch FROM i.occurred_at - ?)), i.id
                LIMIT 1
                """)) {
            boolean fire = p.type() == IncidentType.FIRE;
            ps.setString(1, p.communityId());
            ps.setString(2, p.buildingId());
            ps.setLong(3, p.id());
            ps.setTimestamp(4, p.occurredAt());
            ps.setBoolean(5, fire);
            ps.setDouble(6, fireWindow);
            ps.setDouble(7, groupWindow);
            ps.setBoolean(8, fire);
            ps.setTimestamp(9, p.occurredAt());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    groupId = rs.getLong(1);
                }
            }
        }
        if (groupId == null) {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO incident_groups (community_id, building_id) VALUES (?, ?) RETURNING id")) {
                ps.setString(1, p.communityId());
                ps.setString(2, p.buildingId());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    groupId = rs.getLong(1);
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE incidents SET group_id = ? WHERE id = ?")) {
            ps.setLong(1, groupId);
            ps.setLong(2, p.id());
            ps.executeUpdate();
        }
        return groupId;
    }

    /** Confirms the group's fire when two or more detectors of it alarm; null when it is not (yet) confirmed. */
    private FireConfirmation confirmFire(Connection c, Placed p, long groupId, ThresholdSet t) throws SQLException {
        List<String> detectors = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT device_id FROM incidents"
                + " WHERE group_id = ? AND type = 'FIRE' AND is_open ORDER BY device_id")) {
            ps.setLong(1, groupId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    detectors.add(rs.getString(1));
                }
            }
        }
        if (detectors.size() < 2) {
            return null;
        }
        boolean first;
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE incident_groups SET confirmed_at = now() WHERE id = ? AND confirmed_at IS NULL")) {
            ps.setLong(1, groupId);
            first = ps.executeUpdate() == 1;
        }
        List<Long> newlyConfirmed = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE incidents
                SET summary = 'Confirmed fire: ' || CASE WHEN summary LIKE 'Fire: %' THEN substr(summary, 7) ELSE summary END,
                    details = details || jsonb_build_object('confirmed', true, 'group_id', group_id)
                WHERE group_id = ? AND type = 'FIRE' AND is_open AND details->'confirmed' IS NULL
                RETURNING id
                """)) {
            ps.setLong(1, groupId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    newlyConfirmed.add(rs.getLong(1));
                }
            }
        }
        ObjectNode entry = json.createObjectNode();
        entry.put("message", "confirmed fire: " + detectors.size() + " detectors of building " + p.buildingId()
                + " alarmed within " + Threshold.format(t.get(Threshold.FIRE_CONFIRM_WINDOW)) + " s");
        entry.put("group_id", groupId);
        entry.set("detectors", json.valueToTree(detectors));
        timeline(c, newlyConfirmed, "confirmed", entry);
        List<Long> fires = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id FROM incidents WHERE group_id = ? AND type = 'FIRE' AND is_open ORDER BY id")) {
            ps.setLong(1, groupId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    fires.add(rs.getLong(1));
                }
            }
        }
        return newlyConfirmed.isEmpty() && !first ? null
                : new FireConfirmation(groupId, p.communityId(), p.buildingId(), fires, detectors, first, Instant.now());
    }

    /** In a confirmed-fire group every open incident is critical: a silent detector in a burning building is no detail. */
    private void raiseIfConfirmed(Connection c, long groupId) throws SQLException {
        Map<Long, String> raised = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                WITH raise AS (
                    SELECT i.id, i.severity AS was FROM incidents i JOIN incident_groups g ON g.id = i.group_id
                    WHERE i.group_id = ? AND g.confirmed_at IS NOT NULL AND i.is_open AND i.severity <> 'critical'
                    FOR UPDATE OF i)
                UPDATE incidents i SET severity = 'critical' FROM raise WHERE i.id = raise.id
                RETURNING i.id, raise.was
                """)) {
            ps.setLong(1, groupId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    raised.put(rs.getLong(1), rs.getString(2));
                }
            }
        }
        Deadlines.tighten(c, List.copyOf(raised.keySet()), Severity.CRITICAL.wireName());
        for (Map.Entry<Long, String> e : raised.entrySet()) {
            ObjectNode entry = json.createObjectNode();
            entry.put("message", "severity raised: the building has a confirmed fire; unmet deadlines follow the critical SLA");
            entry.put("from", e.getValue());
            entry.put("to", Severity.CRITICAL.wireName());
            entry.put("group_id", groupId);
            timeline(c, List.of(e.getKey()), "severity_raised", entry);
        }
    }

    private void timeline(Connection c, List<Long> incidentIds, String action, ObjectNode details) throws SQLException {
        if (incidentIds.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO incident_timeline (incident_id, actor, action, details) VALUES (?, 'system', ?, ?::jsonb)")) {
            String text = write(details);
            for (long id : incidentIds) {
                ps.setLong(1, id);
                ps.setString(2, action);
                ps.setString(3, text);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    // ---- Notes.

    /** Whoever rates a resolved incident should know its device alarmed again, and where that went. */
    private static void tellResolved(Connection c, List<IncidentStore.Opened> opened) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO incident_timeline (incident_id, actor, action, details)
                SELECT r.id, 'system', 'alarmed_again', jsonb_build_object('message',
                       'the device alarmed again after this incident was resolved: incident ' || n.id, 'incident_id', n.id)
                FROM incidents n
                JOIN incidents r ON r.device_id = n.device_id AND r.type = n.type AND r.is_open AND NOT r.is_active
                WHERE n.id = ANY (?)
                """)) {
            ps.setArray(1, c.createArrayOf("int8", opened.stream().map(IncidentStore.Opened::id).toArray()));
            ps.executeUpdate();
        }
    }

    /**
     * A device has at most one active incident of a type, but may also have resolved ones waiting
     * for their rating: the note goes to the active one (the emergency now), else to the newest.
     */
    private void addNotes(Connection c, List<Note> notes) throws SQLException {
        if (notes.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO incident_timeline (incident_id, actor, action, details)
                SELECT id, 'system', ?, ?::jsonb FROM incidents WHERE device_id = ? AND type = ? AND is_open
                ORDER BY is_active DESC, id DESC LIMIT 1
                """)) {
            for (Note n : notes) {
                ObjectNode details = n.details().deepCopy();
                details.put("reading_time", Instant.ofEpochMilli(n.occurredAt()).toString());
                ps.setString(1, n.action());
                ps.setString(2, write(details));
                ps.setString(3, n.deviceId());
                ps.setString(4, n.type().name());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private String write(ObjectNode node) {
        try {
            return json.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("timeline details are always serializable", e);
        }
    }
}
