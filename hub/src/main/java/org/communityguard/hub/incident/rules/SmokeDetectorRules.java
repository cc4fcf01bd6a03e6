package org.communityguard.hub.incident.rules;

import static org.communityguard.hub.incident.threshold.Threshold.FIRE_HEAT;
import static org.communityguard.hub.incident.threshold.Threshold.FIRE_OBSCURATION;
import static org.communityguard.hub.incident.threshold.Threshold.FIRE_RATE_OF_RISE;
import static org.communityguard.hub.incident.threshold.Threshold.SMOKE_BATTERY_CLEAR;
import static org.communityguard.hub.incident.threshold.Threshold.SMOKE_BATTERY_LOW;
import static org.communityguard.hub.incident.threshold.Threshold.SMOKE_DEBOUNCE;
import static org.communityguard.hub.incident.threshold.Threshold.TEST_SUPPRESS;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.communityguard.hub.incident.Findings;
import org.communityguard.hub.incident.IncidentType;
import org.communityguard.hub.incident.threshold.ThresholdSet;
import org.communityguard.hub.ingest.IncomingReading;

/**
 * Smoke detectors: FIRE, DETECTOR_FAULT, DETECTOR_TAMPER, LOW_BATTERY.
 *
 * <p>FIRE is never debounced: the detector's own alarm (event {@code alarm} at level
 * {@code alarm}, or {@code alarm: true} in telemetry), smoke obscuration or temperature at or
 * over their thresholds, or a temperature rise faster than the rate-of-rise threshold against a
 * reading one to ten minutes older. A pre-alarm is stored, not an incident. A test-button press
 * ({@code test} event) is stored and never a fire: for {@code test_suppress_s} after it, the
 * detector's own alarm verdict is taken to be the test; smoke or heat measured over the
 * thresholds still is a fire.
 */
public final class SmokeDetectorRules extends DeviceRules<SmokeDetectorRules.State> {

    /** Rate of rise is measured against a reading at least this old ... */
    static final long RISE_MIN_SPAN_MS = 60_000;
    /** ... and at most this old. */
    static final long RISE_MAX_SPAN_MS = 600_000;
    /** Below these fractions of the fire thresholds (and without an alarm) the detector reads normal. */
    static final double NORMAL_OBSCURATION_FRACTION = 0.5;
    static final double NORMAL_HEAT_MARGIN_C = 10;

    public static final class State extends RuleState {
        final Latch fire;
        final Latch tamper;
        final Latch battery;
        final Trend temperatures;
        long testUntil = Long.MIN_VALUE;

        State() {
            this(new Latch(), new Latch(), new Latch(), new Trend(8));
        }

        private State(Latch fire, Latch tamper, Latch battery, Trend temperatures) {
            this.fire = fire;
            this.tamper = tamper;
            this.battery = battery;
            this.temperatures = temperatures;
        }

        @Override
        public State copy() {
            State s = new State(fire.copy(), tamper.copy(), battery.copy(), temperatures.copy());
            s.testUntil = testUntil;
            return s;
        }
    }

    public SmokeDetectorRules() {
        super("smoke_detector", State.class, State::new);
    }

    @Override
    protected void judge(String gatewayId, IncomingReading r, ThresholdSet t, State s, Findings out) {
        String event = Fields.event(r);
        if (event != null) {
            onEvent(gatewayId, r, t, s, event, out);
        } else if (Fields.isTelemetry(r)) {
            onTelemetry(gatewayId, r, t, s, out);
        }
    }

    private void onEvent(String gatewayId, IncomingReading r, ThresholdSet t, State s, String event, Findings out) {
        switch (event) {
            case "test" -> s.testUntil = r.time() + t.millis(TEST_SUPPRESS);
            case "alarm" -> {
                String level = Fields.text(r.data(), "level");
                if ((level == null || "alarm".equals(level)) && !inTest(r, s)) {
                    s.fire.update(true, false, 1);
                    fire(gatewayId, r, "smoke detector alarm", out);
                }
            }
            case "alarm_cleared" -> {
                s.fire.update(false, true, 1);
                out.note(Evidence.normal(IncidentType.FIRE, r, "smoke detector reports the alarm cleared"));
            }
            case "tamper" -> {
                s.tamper.update(true, false, 1);
                out.open(Evidence.candidate(IncidentType.DETECTOR_TAMPER, gatewayId, r,
                        "Tamper: smoke detector " + r.deviceId() + " reports tampering", Evidence.of(r, "tamper event")));
            }
            case "fault" -> Conditions.fault(gatewayId, r, IncidentType.DETECTOR_FAULT, "smoke detector", out);
            default -> {
                // pre_alarm, command_ack and vendor events are stored readings, not incidents.
            }
        }
    }

    private void onTelemetry(String gatewayId, IncomingReading r, ThresholdSet t, State s, Findings out) {
        ObjectNode d = r.data();
        int alarm = Fields.bool(d, "alarm");
        double smoke = Fields.number(d, "smoke_obscuration_pct_m");
        double temp = Fields.number(d, "temp_c");
        double smokeLimit = t.get(FIRE_OBSCURATION);
        double heatLimit = t.get(FIRE_HEAT);

        double risePerMin = Double.NaN;
        if (!Double.isNaN(temp) && s.temperatures.add(r.time(), temp, RISE_MAX_SPAN_MS)) {
            int ref = s.temperatures.reference(RISE_MIN_SPAN_MS, RISE_MAX_SPAN_MS);
            if (ref >= 0) {
                risePerMin = (temp - s.temperatures.value(ref)) / ((r.time() - s.temperatures.time(ref)) / 60_000.0);
            }
        }

        String why = null;
        if (alarm == 1 && !inTest(r, s)) {
            why = "smoke detector reports alarm";
        } else if (smoke >= smokeLimit) {
            why = "smoke obscuration " + Evidence.num(smoke) + " %/m at or over " + Evidence.num(smokeLimit) + " %/m";
        } else if (temp >= heatLimit) {
            why = "temperature " + Evidence.num(temp) + " °C at or over " + Evidence.num(heatLimit) + " °C";
        } else if (risePerMin >= t.get(FIRE_RATE_OF_RISE)) {
            why = "temperature rising " + Evidence.num(risePerMin) + " °C/min, at or over "
                    + Evidence.num(t.get(FIRE_RATE_OF_RISE)) + " °C/min";
        }
        boolean measured = alarm != Fields.ABSENT || !Double.isNaN(smoke) || !Double.isNaN(temp);
        boolean normal = measured && why == null && alarm != 1
                && !(smoke >= smokeLimit * NORMAL_OBSCURATION_FRACTION)
                && !(temp >= heatLimit - NORMAL_HEAT_MARGIN_C);
        if (measured && Conditions.latch(s.fire, why != null, normal, 1, IncidentType.FIRE, r,
                "smoke detector reads normal", out)) {
            fire(gatewayId, r, why, out);
        }

        int tamper = Fields.bool(d, "tamper");
        if (tamper != Fields.ABSENT && Conditions.latch(s.tamper, tamper == 1, tamper == 0, 1,
                IncidentType.DETECTOR_TAMPER, r, "tamper switch closed again", out)) {
            out.open(Evidence.candidate(IncidentType.DETECTOR_TAMPER, gatewayId, r,
                    "Tamper: smoke detector " + r.deviceId() + " reports its tamper switch open",
                    Evidence.of(r, "tamper switch open")));
        }

        Conditions.battery(gatewayId, r, s.battery, t.get(SMOKE_BATTERY_LOW), t.get(SMOKE_BATTERY_CLEAR),
                t.getInt(SMOKE_DEBOUNCE), out);
    }

    private static boolean inTest(IncomingReading r, State s) {
        return r.time() <= s.testUntil;
    }

    private static void fire(String gatewayId, IncomingReading r, String why, Findings out) {
        out.open(Evidence.candidate(IncidentType.FIRE, gatewayId, r, "Fire: " + why + " at " + r.deviceId(),
                Evidence.of(r, why)));
    }
}
