package org.communityguard.hub.incident.rules;

import static org.communityguard.hub.incident.threshold.Threshold.LAMP_DEBOUNCE;
import static org.communityguard.hub.incident.threshold.Threshold.LAMP_FAULT_POWER;
import static org.communityguard.hub.incident.threshold.Threshold.LAMP_TILT;
import static org.communityguard.hub.incident.threshold.Threshold.LAMP_TILT_CLEAR;
import static org.communityguard.hub.incident.threshold.Threshold.LEAKAGE;
import static org.communityguard.hub.incident.threshold.Threshold.LEAKAGE_CLEAR;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.communityguard.hub.incident.Findings;
import org.communityguard.hub.incident.IncidentType;
import org.communityguard.hub.incident.threshold.ThresholdSet;
import org.communityguard.hub.ingest.IncomingReading;

/**
 * Lamp-posts: ELECTRIC_LEAKAGE, STRUCTURAL_TILT, LAMP_FAULT, CABINET_OPEN.
 *
 * <p>A lamp fault is a lamp that is on ({@code lamp_on: true}, not dimmed to 0 %) but draws less
 * than {@code lamp_fault_power_w}: the controller is powered, the light is not. The controller
 * switches the lamp on at night (or on command), so this is "commanded on but dark". A
 * {@code fault} event is a lamp fault too. An open cabinet or a {@code tamper} event is
 * CABINET_OPEN: live parts exposed.
 */
public final class LampPostRules extends DeviceRules<LampPostRules.State> {

    public static final class State extends RuleState {
        final Latch leakage;
        final Latch tilt;
        final Latch dark;
        final Latch cabinet;

        State() {
            this(new Latch(), new Latch(), new Latch(), new Latch());
        }

        private State(Latch leakage, Latch tilt, Latch dark, Latch cabinet) {
            this.leakage = leakage;
            this.tilt = tilt;
            this.dark = dark;
            this.cabinet = cabinet;
        }

        @Override
        public State copy() {
            return new State(leakage.copy(), tilt.copy(), dark.copy(), cabinet.copy());
        }
    }

    public LampPostRules() {
        super("lamp_post", State.class, State::new);
    }

    @Override
    protected void judge(String gatewayId, IncomingReading r, ThresholdSet t, State s, Findings out) {
        String event = Fields.event(r);
        if (event != null) {
            switch (event) {
                case "fault" -> Conditions.fault(gatewayId, r, IncidentType.LAMP_FAULT, "lamp-post", out);
                case "tamper" -> {
                    s.cabinet.update(true, false, 1);
                    cabinet(gatewayId, r, "tamper switch", out);
                }
                default -> {
                    // Other events are stored readings.
                }
            }
            return;
        }
        if (!Fields.isTelemetry(r)) {
            return;
        }
        ObjectNode d = r.data();
        int debounce = t.getInt(LAMP_DEBOUNCE);

        double leakage = Fields.number(d, "leakage_ma");
        if (!Double.isNaN(leakage) && Conditions.latch(s.leakage, leakage >= t.get(LEAKAGE),
                leakage < t.get(LEAKAGE_CLEAR), debounce, IncidentType.ELECTRIC_LEAKAGE, r,
                "leakage current " + Evidence.num(leakage) + " mA", out)) {
            String why = "earth leakage " + Evidence.num(leakage) + " mA, at or over " + Evidence.num(t.get(LEAKAGE)) + " mA";
            ObjectNode details = Evidence.of(r, why);
            details.put("leakage_ma", leakage);
            out.open(Evidence.candidate(IncidentType.ELECTRIC_LEAKAGE, gatewayId, r,
                    "Electric leakage: " + why + " at " + r.deviceId(), details));
        }

        double tilt = Fields.number(d, "tilt_deg");
        if (!Double.isNaN(tilt) && Conditions.latch(s.tilt, tilt >= t.get(LAMP_TILT), tilt < t.get(LAMP_TILT_CLEAR),
                debounce, IncidentType.STRUCTURAL_TILT, r, "tilt " + Evidence.num(tilt) + "°", out)) {
            String why = "pole tilted " + Evidence.num(tilt) + "°, at or over " + Evidence.num(t.get(LAMP_TILT)) + "°";
            out.open(Evidence.candidate(IncidentType.STRUCTURAL_TILT, gatewayId, r,
                    "Structural tilt: " + why + " at " + r.deviceId(), Evidence.of(r, why)));
        }

        int on = Fields.bool(d, "lamp_on");
        double power = Fields.number(d, "power_w");
        if (on != Fields.ABSENT && !Double.isNaN(power)) {
            double dim = Fields.number(d, "dim_pct");
            double minimum = t.get(LAMP_FAULT_POWER);
            boolean dark = on == 1 && !(dim <= 0) && power < minimum;
            if (Conditions.latch(s.dark, dark, on == 0 || power >= minimum, debounce, IncidentType.LAMP_FAULT, r,
                    "lamp draws " + Evidence.num(power) + " W", out)) {
                String why = "lamp on but drawing " + Evidence.num(power) + " W, under " + Evidence.num(minimum) + " W";
                out.open(Evidence.candidate(IncidentType.LAMP_FAULT, gatewayId, r,
                        "Lamp fault: " + why + " at " + r.deviceId(), Evidence.of(r, why)));
            }
        }

        int cabinet = Fields.bool(d, "cabinet_open");
        if (cabinet != Fields.ABSENT && Conditions.latch(s.cabinet, cabinet == 1, cabinet == 0, 1,
                IncidentType.CABINET_OPEN, r, "cabinet closed", out)) {
            cabinet(gatewayId, r, "cabinet open", out);
        }
    }

    private static void cabinet(String gatewayId, IncomingReading r, String why, Findings out) {
        out.open(Evidence.candidate(IncidentType.CABINET_OPEN, gatewayId, r,
                "Cabinet open: " + why + " at lamp-post " + r.deviceId(), Evidence.of(r, why)));
    }
}
