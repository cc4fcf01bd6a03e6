package org.communityguard.hub.incident;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.communityguard.hub.incident.threshold.Threshold;
import org.communityguard.hub.incident.threshold.ThresholdSet;
import org.communityguard.hub.incident.threshold.Thresholds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DEVICE_OFFLINE and GATEWAY_OFFLINE from silence, checked every {@code incident.liveness-interval}.
 * Each pass:
 * <ol>
 *   <li>reloads the thresholds (changes made through another hub instance arrive here);</li>
 *   <li>persists what the ingest writers remembered: when each device and gateway was last
 *       heard from, and which gateways are connected to this hub now;</li>
 *   <li>on one hub at a time (a try-lock), opens GATEWAY_OFFLINE for gateways disconnected longer
 *       than {@code gateway.offline_after_s}, DEVICE_OFFLINE for devices silent for more than
 *       {@code offline_after_intervals} reporting intervals (unless one is active for it: a
 *       resolved one waits for its rating and does not hide a new outage), and notes on open
 *       offline incidents whose device or gateway is back.</li>
 * </ol>
 *
 * <p>A device's silence is measured on its gateway's clock: the device's newest receive time
 * against the gateway's newest one, advanced by the hub's clock while the gateway has been
 * connected and idle (counted from when its data last advanced, or from when its current
 * connection began, whichever is later). So a gateway that is cut off raises one GATEWAY_OFFLINE
 * and no DEVICE_OFFLINE for its devices, and a gateway that has just reconnected, or is draining
 * its buffer after an outage, does not make its devices look silent. A device never heard from
 * is not "offline" (it may not be installed yet). A gateway's disconnection counts from the
 * later of its last connection and this hub's start, so gateways still reconnecting after a hub
 * restart are not reported.
 */
public final class LivenessMonitor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LivenessMonitor.class);

    /** The gateway's clock now, as far as the hub can tell (see the class comment). */
    private static final String GATEWAY_NOW = "g.last_data_at + greatest(interval '0', least(now(), g.last_seen_at)"
            + " - greatest(g.last_data_hub_at, g.connected_at))";

    private static final String SILENT_DEVICES_SQL = """
            SELECT d.id, d.type, d.gateway_id, d.last_seen_at, k.intervals,
                   coalesce(d.interval_s, k.default_interval_s), extract(epoch FROM %1$s - d.last_seen_at)
            FROM devices d
            JOIN gateways g ON g.id = d.gateway_id
            JOIN unnest(?::text[], ?::text[], ?::float8[], ?::int[]) AS k(community_id, type, intervals, default_interval_s)
              ON k.community_id = coalesce(d.community_id, '') AND k.type = d.type
            WHERE d.last_seen_at IS NOT NULL AND g.last_data_at IS NOT NULL AND g.last_data_hub_at IS NOT NULL
              AND %1$s - d.last_seen_at > make_interval(secs => k.intervals * coalesce(d.interval_s, k.default_interval_s))
              AND NOT EXISTS (SELECT 1 FROM incidents i WHERE i.device_id = d.id AND i.type = 'DEVICE_OFFLINE' AND i.is_active)
            """.formatted(GATEWAY_NOW);

    private static final String DISCONNECTED_GATEWAYS_SQL = """
            SELECT g.id, g.community_id, g.last_seen_at, extract(epoch FROM now() - greatest(g.last_seen_at, ?)),
                   (SELECT count(*) FROM devices d WHERE d.gateway_id = g.id)
            FROM gateways g
            WHERE g.last_seen_at IS NOT NULL AND NOT (g.id = ANY(?))
              AND NOT EXISTS (SELECT 1 FROM incidents i WHERE i.device_id = g.id AND i.type = 'GATEWAY_OFFLINE' AND i.is_active)
            """;

    /** A device heard from after its DEVICE_OFFLINE occurred (both on the gateway's clock). */
    private static final String DEVICE_BACK_SQL = """
            INSERT INTO incident_timeline (incident_id, actor, action, details)
            SELECT i.id, 'system', 'sensor_normal',
                   jsonb_build_object('message', 'device reporting again', 'last_seen_at', d.last_seen_at)
            FROM incidents i JOIN devices d ON d.id = i.device_id
            WHERE i.is_open AND i.type = 'DEVICE_OFFLINE' AND d.last_seen_at > i.occurred_at
              AND NOT EXISTS (SELECT 1 FROM incident_timeline t WHERE t.incident_id = i.id AND t.action = 'sensor_normal')
            """;

    /** A gateway connected after its GATEWAY_OFFLINE was opened (both on the hub's clock). */
    private static final String GATEWAY_BACK_SQL = """
            INSERT INTO incident_timeline (incident_id, actor, action, details)
            SELECT i.id, 'system', 'sensor_normal',
                   jsonb_build_object('message', 'gateway connected again', 'last_seen_at', g.last_seen_at)
            FROM incidents i JOIN gateways g ON g.id = i.device_id
            WHERE i.is_open AND i.type = 'GATEWAY_OFFLINE' AND g.last_seen_at > i.opened_at
              AND NOT EXISTS (SELECT 1 FROM incident_timeline t WHERE t.incident_id = i.id AND t.action = 'sensor_normal')
            """;

    private final DataSource dataSource;
    private final IncidentDetector detector;
    private final IncidentRecorder recorder;
    private final Thresholds thresholds;
    private final IncidentListener listener;
    private final Supplier<Set<String>> connectedGateways;
    private final Duration interval;
    private final ScheduledExecutorService scheduler;
    private final Timestamp startedAt = new Timestamp(System.currentTimeMillis());
    /** Gateways connected at the last pass, to tell a new connection from a continuing one. */
    private Set<String> wereConnected = Set.of();
    private long failures;

    public LivenessMonitor(DataSource dataSource, IncidentDetector detector, IncidentRecorder recorder,
                           Thresholds thresholds, IncidentListener listener, Supplier<Set<String>> connectedGateways,
                           Duration interval) {
        this.dataSource = dataSource;
        this.detector = detector;
        this.recorder = recorder;
        this.thresholds = thresholds;
        this.listener = listener;
        this.connectedGateways = connectedGateways;
        this.interval = interval;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "incident-liveness");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        scheduler.scheduleWithFixedDelay(this::tick, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            runOnce();
            if (failures > 0) {
                log.info("liveness checks work again after {} failed passes", failures);
                failures = 0;
            }
        } catch (SQLException | RuntimeException e) {
            // The database may be down; the ingest side reports that too. One line per outage, not per pass.
            if (failures++ == 0) {
                log.warn("liveness check failed, retrying every {}: {}", interval, e.toString());
            }
        }
    }

    /** One pass: reload thresholds, persist last-heard times, and (if no other hub is at it) scan. */
    void runOnce() throws SQLException {
        thresholds.reload();
        Set<String> connected = connectedGateways.get();
        persist(connected);
        scan(connected);
    }

    private void persist(Set<String> connected) throws SQLException {
        IncidentDetector.Heard heard = detector.unpersisted();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Set<String> fresh = new HashSet<>(connected);
                fresh.removeAll(wereConnected);
                try (PreparedStatement ps = c.prepareStatement("UPDATE gateways SET last_seen_at = now(),"
                        + " connected_at = CASE WHEN id = ANY(?) THEN now() ELSE connected_at END WHERE id = ANY(?)")) {
                    ps.setArray(1, c.createArrayOf("text", fresh.toArray()));
                    ps.setArray(2, c.createArrayOf("text", connected.toArray()));
                    ps.executeUpdate();
                }
                if (!heard.devices().isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement("""
                            UPDATE devices d SET last_seen_at = greatest(d.last_seen_at, to_timestamp(v.ms / 1000.0))
                            FROM unnest(?::text[], ?::int8[]) AS v(id, ms) WHERE d.id = v.id
                            """)) {
                        setPairs(c, ps, heard.devices());
                        ps.executeUpdate();
                    }
                }
                if (!heard.gateways().isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement("""
                            UPDATE gateways g SET last_data_at = to_timestamp(v.ms / 1000.0), last_data_hub_at = now()
                            FROM unnest(?::text[], ?::int8[]) AS v(id, ms)
                            WHERE g.id = v.id AND (g.last_data_at IS NULL OR g.last_data_at < to_timestamp(v.ms / 1000.0))
                            """)) {
                        setPairs(c, ps, heard.gateways());
                        ps.executeUpdate();
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        detector.persisted(heard);
        wereConnected = connected;
    }

    private static void setPairs(Connection c, PreparedStatement ps, Map<String, Long> pairs) throws SQLException {
        String[] ids = new String[pairs.size()];
        Long[] times = new Long[pairs.size()];
        int i = 0;
        for (Map.Entry<String, Long> e : pairs.entrySet()) {
            ids[i] = e.getKey();
            times[i++] = e.getValue();
        }
        ps.setArray(1, c.createArrayOf("text", ids));
        ps.setArray(2, c.createArrayOf("int8", times));
    }

    private void scan(Set<String> connected) throws SQLException {
        IncidentRecorder.Recorded recorded;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT pg_try_advisory_xact_lock(hashtextextended('incident-liveness-scan', 0))");
                     ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        c.rollback();
                        return;
                    }
                }
                Findings findings = new Findings();
                disconnectedGateways(c, connected, findings);
                silentDevices(c, findings);
                recorded = recorder.record(c, findings);
                try (Statement st = c.createStatement()) {
                    st.executeUpdate(DEVICE_BACK_SQL);
                    st.executeUpdate(GATEWAY_BACK_SQL);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        recorder.announce(recorded, listener);
    }

    private void disconnectedGateways(Connection c, Set<String> connected, Findings out) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(DISCONNECTED_GATEWAYS_SQL)) {
            ps.setTimestamp(1, startedAt);
            ps.setArray(2, c.createArrayOf("text", connected.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String gateway = rs.getString(1);
                    double silentS = rs.getDouble(4);
                    double limit = thresholds.forCommunity(rs.getString(2)).get(Threshold.GATEWAY_OFFLINE_AFTER);
                    if (silentS < limit) {
                        continue;
                    }
                    long devices = rs.getLong(5);
                    ObjectNode details = JsonNodeFactory.instance.objectNode();
                    details.put("reason", "uplink disconnected for " + Math.round(silentS) + " s, limit "
                            + Threshold.format(limit) + " s");
                    details.put("last_connected_at", rs.getTimestamp(3).toInstant().toString());
                    details.put("offline_after_s", limit);
                    details.put("devices", devices);
                    out.open(new Candidate(IncidentType.GATEWAY_OFFLINE, IncidentType.GATEWAY_OFFLINE.defaultSeverity(),
                            gateway, gateway, rs.getTimestamp(3).getTime(),
                            "Gateway offline: no uplink connection from " + gateway + " for " + minutes(silentS)
                                    + "; its " + devices + " devices are not monitored",
                            details));
                }
            }
        }
    }

    private void silentDevices(Connection c, Findings out) throws SQLException {
        List<String> communities = new ArrayList<>(thresholds.communities());
        communities.add("");
        List<String> kCommunity = new ArrayList<>();
        List<String> kType = new ArrayList<>();
        List<Double> kIntervals = new ArrayList<>();
        List<Integer> kDefault = new ArrayList<>();
        for (String community : communities) {
            ThresholdSet t = community.isEmpty() ? ThresholdSet.DEFAULTS : thresholds.forCommunity(community);
            for (Map.Entry<String, Threshold> e : Map.of("smoke_detector", Threshold.SMOKE_OFFLINE,
                    "manhole", Threshold.MANHOLE_OFFLINE, "lamp_post", Threshold.LAMP_OFFLINE,
                    "door_access", Threshold.DOOR_OFFLINE).entrySet()) {
                kCommunity.add(community);
                kType.add(e.getKey());
                kIntervals.add(t.get(e.getValue()));
                kDefault.add(IncidentDetector.DEFAULT_INTERVAL_S.get(e.getKey()));
            }
        }
        try (PreparedStatement ps = c.prepareStatement(SILENT_DEVICES_SQL)) {
            ps.setArray(1, c.createArrayOf("text", kCommunity.toArray()));
            ps.setArray(2, c.createArrayOf("text", kType.toArray()));
            ps.setArray(3, c.createArrayOf("float8", kIntervals.toArray()));
            ps.setArray(4, c.createArrayOf("int4", kDefault.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String device = rs.getString(1);
                    String type = rs.getString(2);
                    double intervals = rs.getDouble(5);
                    int intervalS = rs.getInt(6);
                    double silentS = rs.getDouble(7);
                    ObjectNode details = JsonNodeFactory.instance.objectNode();
                    details.put("reason", "no data for " + Math.round(silentS) + " s, more than "
                            + Threshold.format(intervals) + " reporting intervals of " + intervalS + " s");
                    details.put("offline_reason", "silent");
                    details.put("last_seen_at", rs.getTimestamp(4).toInstant().toString());
                    details.put("interval_s", intervalS);
                    details.put("offline_after_intervals", intervals);
                    out.open(new Candidate(IncidentType.DEVICE_OFFLINE, IncidentDetector.offlineSeverity(type), device,
                            rs.getString(3), rs.getTimestamp(4).getTime(),
                            "Device offline: no data from " + device + " for " + minutes(silentS), details));
                }
            }
        }
    }

    private static String minutes(double seconds) {
        return seconds < 120 ? Math.round(seconds) + " s" : Math.round(seconds / 60) + " min";
    }

    @Override
    public void close() throws InterruptedException {
        scheduler.shutdownNow();
        scheduler.awaitTermination(5, TimeUnit.SECONDS);
    }
}
