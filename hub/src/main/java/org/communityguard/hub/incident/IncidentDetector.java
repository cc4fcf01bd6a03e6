package org.communityguard.hub.incident;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.communityguard.hub.incident.rules.DeviceRules;
import org.communityguard.hub.incident.rules.DoorAccessRules;
import org.communityguard.hub.incident.rules.Evidence;
import org.communityguard.hub.incident.rules.LampPostRules;
import org.communityguard.hub.incident.rules.ManholeRules;
import org.communityguard.hub.incident.rules.RuleState;
import org.communityguard.hub.incident.rules.SmokeDetectorRules;
import org.communityguard.hub.incident.threshold.ThresholdSet;
import org.communityguard.hub.incident.threshold.Thresholds;
import org.communityguard.hub.ingest.IncomingReading;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where an incident is raised: every stored reading passes the rules of its device type, on the
 * ingest writer that stores it, in the order its gateway sent it.
 *
 * <pre>
 *   IngestPipeline (writer thread, one transaction)
 *     round = detector.round()
 *     round.detect(gateway, readings)  ── per reading: DeviceRules of its type, with the device's RuleState
 *        │                                 status readings: DEVICE_OFFLINE; gateway readings: linkage notes
 *        ▼
 *     Findings (candidates, notes) ──► IncidentRecorder, same transaction
 *     commit ──► round.committed()      rollback ──► round.rollback(): states as before the round
 * </pre>
 *
 * <p>Per-device state lives here, in memory, so the hot path does no database work: a map
 * lookup, a lock rarely contended, and a few field reads. A round keeps a copy of every state it
 * changes, so a transaction that does not commit leaves the states as they were and its readings
 * are judged again, once, when they are stored. After a hub restart the states start empty;
 * latches and trends refill from the next readings.
 *
 * <p>Two rounds may judge one device at once: its alarm on the ingest pipeline's safety lane,
 * its telemetry on a routine writer (or its readings from two gateways). Each reading is judged
 * under the device's monitor; a rollback of one round while the other is under way may undo the
 * other's changes as well. That can only delay a proposal (a debounce counts again, a trend
 * refills) or repeat one, never swallow it: a raised latch does not hold back the next proposal,
 * and one open incident per device and type is the database's job.
 *
 * <p>The detector also remembers when each device and gateway was last heard from (gateway
 * receive time); the {@link LivenessMonitor} persists that periodically instead of one UPDATE
 * per reading.
 */
public final class IncidentDetector {

    private static final Logger log = LoggerFactory.getLogger(IncidentDetector.class);

    /** Devices remembered at most; beyond it new devices are judged without memory (events still count). */
    static final int MAX_DEVICES = 1_000_000;

    /** Device types whose site-file entries default to this reporting interval, seconds (docs/site-file.md). */
    public static final Map<String, Integer> DEFAULT_INTERVAL_S = Map.of(
            "lamp_post", 60, "door_access", 60, "manhole", 300, "smoke_detector", 300);

    /** One device as the detector knows it. Guarded by its own monitor. */
    private static final class Device {
        final DeviceRules<?> rules;
        final RuleState state;
        long lastSeenRx;
        long persistedRx;
        long round;

        Device(DeviceRules<?> rules, RuleState state) {
            this.rules = rules;
            this.state = state;
        }

        Device copy() {
            Device d = new Device(rules, state == null ? null : state.copy());
            d.lastSeenRx = lastSeenRx;
            d.persistedRx = persistedRx;
            d.round = round;
            return d;
        }
    }

    /** A gateway's newest receive time ({@code rx}, the gateway's clock). */
    private static final class GatewayData {
        long newestRx;
        long persistedRx;
    }

    private final Thresholds thresholds;
    private final Map<String, DeviceRules<?>> rulesByType = new HashMap<>();
    private final ConcurrentHashMap<String, Device> devices = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, GatewayData> gateways = new ConcurrentHashMap<>();
    private final AtomicLong rounds = new AtomicLong();
    private final AtomicBoolean fullWarned = new AtomicBoolean();

    public IncidentDetector(Thresholds thresholds) {
        this.thresholds = thresholds;
        for (DeviceRules<?> r : List.of(new SmokeDetectorRules(), new ManholeRules(), new LampPostRules(),
                new DoorAccessRules())) {
            rulesByType.put(r.deviceType(), r);
        }
    }

    /** Starts judging the readings of one transaction. */
    public Round round() {
        return new Round(rounds.incrementAndGet());
    }

    /** The readings of one transaction; see the class comment. Used by one thread. */
    public final class Round {

        private final long id;
        private final Findings findings = new Findings();
        /** Device id and its state before this round (null: the round created it). */
        private final List<Map.Entry<String, Device>> before = new ArrayList<>(0);

        private Round(long id) {
            this.id = id;
        }

        public void detect(String gatewayId, List<IncomingReading> readings) {
            ThresholdSet t = thresholds.forGateway(gatewayId);
            long newestRx = Long.MIN_VALUE;
            for (IncomingReading r : readings) {
                newestRx = Math.max(newestRx, r.receivedAt());
                try {
                    judge(gatewayId, r, t);
                } catch (RuntimeException e) {
                    // A rule bug must not block storing the readings (the gateway would resend them forever).
                    log.error("incident rules failed on a {} reading of {}; the reading is stored, not judged",
                            r.deviceType(), r.deviceId(), e);
                }
            }
            if (!readings.isEmpty()) {
                GatewayData g = gateways.computeIfAbsent(gatewayId, k -> new GatewayData());
                synchronized (g) {
                    g.newestRx = Math.max(g.newestRx, newestRx);
                }
            }
        }

        private void judge(String gatewayId, IncomingReading r, ThresholdSet t) {
            if ("gateway".equals(r.deviceType())) {
                gatewayReading(gatewayId, r, findings);
                return;
            }
            Device d = device(r.deviceId(), rulesByType.get(r.deviceType()));
            synchronized (d) {
                if (d.round != id) {
                    before.add(Map.entry(r.deviceId(), d.copy()));
                    d.round = id;
                }
                if ("status".equals(r.kind())) {
                    status(gatewayId, r, d);
                    return;
                }
                d.lastSeenRx = Math.max(d.lastSeenRx, r.receivedAt());
                if (d.rules != null) {
                    d.rules.evaluate(gatewayId, r, t, d.state, findings);
                }
            }
        }

        private void status(String gatewayId, IncomingReading r, Device d) {
            String status = r.data().path("status").asText("");
            if ("online".equals(status)) {
                d.lastSeenRx = Math.max(d.lastSeenRx, r.receivedAt());
            } else if ("offline".equals(status)) {
                String reason = r.data().path("reason").asText("");
                ObjectNode details = Evidence.of(r, reason.isEmpty() ? "gateway reports the device offline"
                        : "gateway reports the device offline (" + reason + ")");
                details.put("offline_reason", reason.isEmpty() ? "unknown" : reason);
                findings.open(Evidence.candidate(IncidentType.DEVICE_OFFLINE, offlineSeverity(r.deviceType()), gatewayId, r,
                        "Device offline: gateway " + gatewayId + " reports " + r.deviceId() + " offline"
                                + (reason.isEmpty() ? "" : " (" + describeReason(reason) + ")"), details));
            }
        }

        public Findings findings() {
            return findings;
        }

        /** The transaction did not commit: every device state this round changed goes back to what it was. */
        public void rollback() {
            for (int i = before.size() - 1; i >= 0; i--) {
                Map.Entry<String, Device> e = before.get(i);
                devices.put(e.getKey(), e.getValue());
            }
            before.clear();
        }
    }

    private Device device(String deviceId, DeviceRules<?> rules) {
        Device d = devices.get(deviceId);
        if (d != null && d.rules == rules) {
            return d;
        }
        // New, or its type changed (an unprovisioned device that was guessed wrong): start afresh.
        Device fresh = new Device(rules, rules == null ? null : rules.newState());
        if (d == null && devices.size() >= MAX_DEVICES) {
            if (fullWarned.compareAndSet(false, true)) {
                log.warn("remembering {} devices already; new devices are judged without memory (debounce, trends)",
                        MAX_DEVICES);
            }
            return fresh;
        }
        // Atomically: a round on another lane may be creating the same device right now.
        return devices.compute(deviceId, (id, current) -> current != null && current.rules == rules ? current : fresh);
    }

    /** The gateway's own readings: a linkage it performed is evidence on the fire that triggered it. */
    private static void gatewayReading(String gatewayId, IncomingReading r, Findings out) {
        if (!r.isEvent("linkage")) {
            return;
        }
        String trigger = r.data().path("trigger_device").asText("");
        if (trigger.isEmpty()) {
            return;
        }
        ObjectNode details = JsonNodeFactory.instance.objectNode();
        JsonNode actions = r.data().path("actions");
        details.put("message", "gateway " + gatewayId + " acted locally: " + (actions.isArray() ? actions.size() : 0)
                + " command(s) by rule " + r.data().path("rule").asText("?"));
        details.set("linkage", r.data());
        out.note(new Note(IncidentType.FIRE, trigger, r.time(), Note.LINKAGE, details));
    }

    /** A silent smoke detector leaves its spot unprotected against fire. */
    static Severity offlineSeverity(String deviceType) {
        return "smoke_detector".equals(deviceType) ? Severity.MAJOR : IncidentType.DEVICE_OFFLINE.defaultSeverity();
    }

    private static String describeReason(String reason) {
        return switch (reason) {
            case "will" -> "its connection dropped";
            case "silent" -> "silent";
            default -> reason;
        };
    }

    /** Last-heard times (gateway receive time, epoch ms) that changed since the last call, to persist. */
    public record Heard(Map<String, Long> devices, Map<String, Long> gateways) {
    }

    /** Collects the last-heard times not yet persisted; {@link #persisted} marks them once written. */
    public Heard unpersisted() {
        Map<String, Long> d = new HashMap<>();
        for (Map.Entry<String, Device> e : devices.entrySet()) {
            Device dev = e.getValue();
            synchronized (dev) {
                if (dev.lastSeenRx > dev.persistedRx) {
                    d.put(e.getKey(), dev.lastSeenRx);
                }
            }
        }
        Map<String, Long> g = new HashMap<>();
        for (Map.Entry<String, GatewayData> e : gateways.entrySet()) {
            synchronized (e.getValue()) {
                if (e.getValue().newestRx > e.getValue().persistedRx) {
                    g.put(e.getKey(), e.getValue().newestRx);
                }
            }
        }
        return new Heard(d, g);
    }

    public void persisted(Heard heard) {
        heard.devices().forEach((id, rx) -> {
            Device dev = devices.get(id);
            if (dev != null) {
                synchronized (dev) {
                    dev.persistedRx = Math.max(dev.persistedRx, rx);
                }
            }
        });
        heard.gateways().forEach((id, rx) -> {
            GatewayData g = gateways.get(id);
            if (g != null) {
                synchronized (g) {
                    g.persistedRx = Math.max(g.persistedRx, rx);
                }
            }
        });
    }
}
