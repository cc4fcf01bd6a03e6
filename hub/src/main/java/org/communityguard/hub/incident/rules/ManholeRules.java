package org.communityguard.hub.incident.rules;

import static org.communityguard.hub.incident.threshold.Threshold.COVER_TILT;
import static org.communityguard.hub.incident.threshold.Threshold.COVER_TILT_CLEAR;
import static org.communityguard.hub.incident.threshold.Threshold.FLOOD_CLEAR;
import static org.communityguard.hub.incident.threshold.Threshold.FLOOD_LEVEL;
import static org.communityguard.hub.incident.threshold.Threshold.FLOOD_MIN_RISE;
import static org.communityguard.hub.incident.threshold.Threshold.FLOOD_PREDICT;
import static org.communityguard.hub.incident.threshold.Threshold.FLOOD_RISE_RATE;
import static org.communityguard.hub.incident.threshold.Threshold.FLOOD_WINDOW;
import static org.communityguard.hub.incident.threshold.Threshold.GAS_CH4;
import static org.communityguard.hub.incident.threshold.Threshold.GAS_CH4_CLEAR;
import static org.communityguard.hub.incident.threshold.Threshold.GAS_H2S;
import static org.communityguard.hub.incident.threshold.Threshold.GAS_H2S_CLEAR;
import static org.communityguard.hub.incident.threshold.Threshold.MANHOLE_BATTERY_CLEAR;
import static org.communityguard.hub.incident.threshold.Threshold.MANHOLE_BATTERY_LOW;
import static org.communityguard.hub.incident.threshold.Threshold.MANHOLE_DEBOUNCE;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.communityguard.hub.incident.Findings;
import org.communityguard.hub.incident.IncidentType;
import org.communityguard.hub.incident.threshold.ThresholdSet;
import org.communityguard.hub.ingest.IncomingReading;

/**
 * Manholes: COVER_DISPLACED, FLOOD_RISK, TOXIC_GAS, DETECTOR_FAULT, LOW_BATTERY.
 *
 * <p>Flood risk looks at the level and at its trend. {@code water_below_cover_cm} is the
 * distance down to the water, so a small value is high water. The trend is a least-squares line
 * through the readings of the trend window (at most 16, at least 3); when the water rises at
 * least {@code flood_rise_cm_per_min} and the fitted rise over the window is at least
 * {@code flood_min_rise_cm} (noise is not a trend), the time until it reaches the cover is the
 * level divided by the rate, and it goes into the incident as {@code predicted_overflow_min}.
 */
public final class ManholeRules extends DeviceRules<ManholeRules.State> {

    static final int TREND_SAMPLES = 16;
    static final int TREND_MIN_SAMPLES = 3;

    public static final class State extends RuleState {
        final Latch cover;
        final Latch flood;
        final Latch gas;
        final Latch battery;
        final Trend water;

        State() {
            this(new Latch(), new Latch(), new Latch(), new Latch(), new Trend(TREND_SAMPLES));
        }

        private State(Latch cover, Latch flood, Latch gas, Latch battery, Trend water) {
            this.cover = cover;
            this.flood = flood;
            this.gas = gas;
            this.battery = battery;
            this.water = water;
        }

        @Override
        public State copy() {
            return new State(cover.copy(), flood.copy(), gas.copy(), battery.copy(), water.copy());
        }
    }

    public ManholeRules() {
        super("manhole", State.class, State::new);
    }

    @Override
    protected void judge(String gatewayId, IncomingReading r, ThresholdSet t, State s, Findings out) {
        String event = Fields.event(r);
        if (event != null) {
            switch (event) {
                case "cover_opened" -> {
                    s.cover.update(true, false, 1);
                    cover(gatewayId, r, "cover opened", out);
                }
                case "cover_closed" -> {
                    s.cover.update(false, true, 1);
                    out.note(Evidence.normal(IncidentType.COVER_DISPLACED, r, "manhole reports the cover closed"));
                }
                case "fault" -> Conditions.fault(gatewayId, r, IncidentType.DETECTOR_FAULT, "manhole monitor", out);
                default -> {
                    // Other events are stored readings.
                }
            }
            return;
        }
        if (!Fields.isTelemetry(r)) {
            return;
        }
        int debounce = t.getInt(MANHOLE_DEBOUNCE);
        coverTelemetry(gatewayId, r, t, s, debounce, out);
        flood(gatewayId, r, t, s, debounce, out);
        gas(gatewayId, r, t, s, debounce, out);
        Conditions.battery(gatewayId, r, s.battery, t.get(MANHOLE_BATTERY_LOW), t.get(MANHOLE_BATTERY_CLEAR), debounce, out);
    }

    private static void coverTelemetry(String gatewayId, IncomingReading r, ThresholdSet t, State s, int debounce,
                                       Findings out) {
        int open = Fields.bool(r.data(), "cover_open");
        double tilt = Fields.number(r.data(), "tilt_deg");
        if (open == Fields.ABSENT && Double.isNaN(tilt)) {
            return;
        }
        boolean tilted = tilt >= t.get(COVER_TILT);
        boolean clear = open != 1 && !(tilt >= t.get(COVER_TILT_CLEAR));
        // The cover switch is the device's own verdict: no debounce. A tilt alone is measured: debounced.
        if (Conditions.latch(s.cover, open == 1 || tilted, clear, open == 1 ? 1 : debounce,
                IncidentType.COVER_DISPLACED, r, "cover closed and level", out)) {
            cover(gatewayId, r, open == 1 ? "cover open" : "cover tilted " + Evidence.num(tilt) + "°, at or over "
                    + Evidence.num(t.get(COVER_TILT)) + "°", out);
        }
    }

    private static void cover(String gatewayId, IncomingReading r, String why, Findings out) {
        out.open(Evidence.candidate(IncidentType.COVER_DISPLACED, gatewayId, r,
                "Manhole cover displaced: " + why + " at " + r.deviceId(), Evidence.of(r, why)));
    }

    private static void flood(String gatewayId, IncomingReading r, ThresholdSet t, State s, int debounce, Findings out) {
        double level = Fields.number(r.data(), "water_below_cover_cm");
        // A reading not newer than the last one (out of order) says nothing about the trend now.
        if (Double.isNaN(level) || !s.water.add(r.time(), level, t.millis(FLOOD_WINDOW))) {
            return;
        }
        double rise = -s.water.slopePerMinute(TREND_MIN_SAMPLES);
        boolean rising = rise >= t.get(FLOOD_RISE_RATE) && rise * s.water.spanMinutes() >= t.get(FLOOD_MIN_RISE);
        double minutesToCover = rising ? level / rise : Double.NaN;
        boolean high = level <= t.get(FLOOD_LEVEL);
        boolean soon = minutesToCover <= t.get(FLOOD_PREDICT);
        boolean receded = level >= t.get(FLOOD_CLEAR) && !rising;
        if (!Conditions.latch(s.flood, high || soon, receded, debounce, IncidentType.FLOOD_RISK, r,
                "water receding: " + Evidence.num(level) + " cm below the cover", out)) {
            return;
        }
        String why = high
                ? "water " + Evidence.num(level) + " cm below the cover, at or under " + Evidence.num(t.get(FLOOD_LEVEL)) + " cm"
                : "water rising " + Evidence.num(rise) + " cm/min, " + Evidence.num(level) + " cm below the cover";
        ObjectNode details = Evidence.of(r, why);
        details.put("water_below_cover_cm", level);
        details.put("trend_samples", s.water.size());
        if (rising) {
            details.put("rise_cm_per_min", round1(rise));
            details.put("predicted_overflow_min", round1(minutesToCover));
            details.put("predicted_overflow_at",
                    Instant.ofEpochMilli(r.time() + (long) (minutesToCover * 60_000)).toString());
        }
        String summary = "Flood risk: " + why
                + (rising ? ", at the cover in about " + Evidence.num(Math.max(1, Math.ceil(minutesToCover))) + " min" : "")
                + " at " + r.deviceId();
        out.open(Evidence.candidate(IncidentType.FLOOD_RISK, gatewayId, r, summary, details));
    }

    private static void gas(String gatewayId, IncomingReading r, ThresholdSet t, State s, int debounce, Findings out) {
        double ch4 = Fields.number(r.data(), "ch4_pct_lel");
        double h2s = Fields.number(r.data(), "h2s_ppm");
        if (Double.isNaN(ch4) && Double.isNaN(h2s)) {
            return;
        }
        boolean methane = ch4 >= t.get(GAS_CH4);
        boolean sulphide = h2s >= t.get(GAS_H2S);
        boolean clear = !(ch4 >= t.get(GAS_CH4_CLEAR)) && !(h2s >= t.get(GAS_H2S_CLEAR));
        if (!Conditions.latch(s.gas, methane || sulphide, clear, debounce, IncidentType.TOXIC_GAS, r,
                "gas levels back under the clear thresholds", out)) {
            return;
        }
        StringBuilder why = new StringBuilder();
        if (methane) {
            why.append("methane ").append(Evidence.num(ch4)).append(" %LEL (limit ").append(Evidence.num(t.get(GAS_CH4)))
                    .append(")");
        }
        if (sulphide) {
            why.append(methane ? ", " : "").append("H2S ").append(Evidence.num(h2s)).append(" ppm (limit ")
                    .append(Evidence.num(t.get(GAS_H2S))).append(")");
        }
        out.open(Evidence.candidate(IncidentType.TOXIC_GAS, gatewayId, r, "Toxic gas: " + why + " at " + r.deviceId(),
                Evidence.of(r, why.toString())));
    }

    private static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
