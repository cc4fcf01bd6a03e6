package org.communityguard.hub.incident.rules;

import static org.communityguard.hub.incident.threshold.Threshold.BRUTE_FORCE_ATTEMPTS;
import static org.communityguard.hub.incident.threshold.Threshold.BRUTE_FORCE_WINDOW;
import static org.communityguard.hub.incident.threshold.Threshold.HELD_OPEN;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.Set;
import org.communityguard.hub.incident.Findings;
import org.communityguard.hub.incident.IncidentType;
import org.communityguard.hub.incident.threshold.ThresholdSet;
import org.communityguard.hub.ingest.IncomingReading;

/**
 * Door-access controllers: DOOR_FORCED, DOOR_HELD_OPEN, BRUTE_FORCE, DETECTOR_TAMPER.
 *
 * <p>Brute force counts denied {@code access} events per door within a sliding window. Subjects
 * are pseudonyms (the gateway replaced the credential); the incident says how many distinct
 * ones were tried, not which: re-identifying them is a privileged act elsewhere.
 */
public final class DoorAccessRules extends DeviceRules<DoorAccessRules.State> {

    /** The largest allowed {@code brute_force_attempts}: the window never needs more. */
    static final int DENIALS_KEPT = 50;

    public static final class State extends RuleState {
        final Latch forced;
        final Latch held;
        final Latch brute;
        /** Denied attempts, oldest first: time and pseudonymous subject. */
        final long[] deniedAt;
        final String[] deniedSubject;
        int denied;

        State() {
            this(new Latch(), new Latch(), new Latch(), new long[DENIALS_KEPT], new String[DENIALS_KEPT], 0);
        }

        private State(Latch forced, Latch held, Latch brute, long[] deniedAt, String[] deniedSubject, int denied) {
            this.forced = forced;
            this.held = held;
            this.brute = brute;
            this.deniedAt = deniedAt;
            this.deniedSubject = deniedSubject;
            this.denied = denied;
        }

        @Override
        public State copy() {
            return new State(forced.copy(), held.copy(), brute.copy(), deniedAt.clone(), deniedSubject.clone(), denied);
        }

        void deny(long time, String subject) {
            if (denied == deniedAt.length) {
                System.arraycopy(deniedAt, 1, deniedAt, 0, denied - 1);
                System.arraycopy(deniedSubject, 1, deniedSubject, 0, denied - 1);
                denied--;
            }
            deniedAt[denied] = time;
            deniedSubject[denied] = subject;
            denied++;
        }

        /** Denied attempts in the window ending at {@code now}. */
        int deniedWithin(long now, long windowMs) {
            int n = 0;
            for (int i = denied - 1; i >= 0; i--) {
                long age = now - deniedAt[i];
                if (age > windowMs) {
                    break;
                }
                if (age >= 0) {
                    n++;
                }
            }
            return n;
        }

        int distinctSubjects(long now, long windowMs) {
            Set<String> subjects = new HashSet<>();
            for (int i = denied - 1; i >= 0 && now - deniedAt[i] <= windowMs; i--) {
                if (now >= deniedAt[i]) {
                    subjects.add(String.valueOf(deniedSubject[i]));
                }
            }
            return subjects.size();
        }
    }

    public DoorAccessRules() {
        super("door_access", State.class, State::new);
    }

    @Override
    protected void judge(String gatewayId, IncomingReading r, ThresholdSet t, State s, Findings out) {
        String event = Fields.event(r);
        long window = t.millis(BRUTE_FORCE_WINDOW);
        if (event != null) {
            switch (event) {
                case "forced_open" -> {
                    s.forced.update(true, false, 1);
                    out.open(Evidence.candidate(IncidentType.DOOR_FORCED, gatewayId, r,
                            "Door forced: " + r.deviceId() + " opened without a grant", Evidence.of(r, "forced_open event")));
                }
                case "held_open" -> {
                    double openS = Fields.number(r.data(), "open_s");
                    if (Double.isNaN(openS) || openS >= t.get(HELD_OPEN)) {
                        s.held.update(true, false, 1);
                        heldOpen(gatewayId, r, openS, t, out);
                    }
                }
                case "access" -> {
                    if ("denied".equals(Fields.text(r.data(), "result"))) {
                        denied(gatewayId, r, t, s, window, out);
                    }
                }
                case "tamper" -> out.open(Evidence.candidate(IncidentType.DETECTOR_TAMPER, gatewayId, r,
                        "Tamper: door controller " + r.deviceId() + " reports tampering", Evidence.of(r, "tamper event")));
                default -> {
                    // Other events are stored readings.
                }
            }
        } else if (Fields.isTelemetry(r)) {
            telemetry(gatewayId, r, t, s, out);
        }
        if (s.brute.raised() && s.deniedWithin(r.time(), window) == 0) {
            Conditions.latch(s.brute, false, true, 1, IncidentType.BRUTE_FORCE, r,
                    "no denied attempts in the last " + Evidence.num(window / 1000.0) + " s", out);
        }
    }

    private static void denied(String gatewayId, IncomingReading r, ThresholdSet t, State s, long window, Findings out) {
        s.deny(r.time(), Fields.text(r.data(), "subject"));
        int attempts = s.deniedWithin(r.time(), window);
        int limit = t.getInt(BRUTE_FORCE_ATTEMPTS);
        if (!Conditions.latch(s.brute, attempts >= limit, false, 1, IncidentType.BRUTE_FORCE, r, "", out)) {
            return;
        }
        String why = attempts + " denied attempts within " + Evidence.num(window / 1000.0) + " s (limit " + limit + ")";
        ObjectNode details = Evidence.of(r, why);
        // The pseudonym stays in the stored reading; the incident, seen by more people, does without it.
        details.set("reading", r.data().deepCopy().without("subject"));
        details.put("denied_attempts", attempts);
        details.put("window_s", window / 1000.0);
        details.put("distinct_subjects", s.distinctSubjects(r.time(), window));
        out.open(Evidence.candidate(IncidentType.BRUTE_FORCE, gatewayId, r,
                "Brute force: " + why + " at " + r.deviceId(), details));
    }

    private static void telemetry(String gatewayId, IncomingReading r, ThresholdSet t, State s, Findings out) {
        int open = Fields.bool(r.data(), "door_open");
        double openS = Fields.number(r.data(), "open_s");
        if (open == 0) {
            Conditions.latch(s.forced, false, true, 1, IncidentType.DOOR_FORCED, r, "door closed", out);
        }
        if (open == Fields.ABSENT && Double.isNaN(openS)) {
            return;
        }
        double limit = t.get(HELD_OPEN);
        boolean held = open != 0 && openS >= limit;
        if (Conditions.latch(s.held, held, open == 0 || openS < limit, 1, IncidentType.DOOR_HELD_OPEN, r,
                "door closed", out)) {
            heldOpen(gatewayId, r, openS, t, out);
        }
    }

    private static void heldOpen(String gatewayId, IncomingReading r, double openS, ThresholdSet t, Findings out) {
        String why = Double.isNaN(openS) ? "door reports held open"
                : "open for " + Evidence.num(openS) + " s, at or over " + Evidence.num(t.get(HELD_OPEN)) + " s";
        out.open(Evidence.candidate(IncidentType.DOOR_HELD_OPEN, gatewayId, r,
                "Door held open: " + why + " at " + r.deviceId(), Evidence.of(r, why)));
    }
}
