package org.communityguard.hub.incident.threshold;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One community's thresholds: its overrides over the defaults. Immutable; a lookup is an array read. */
public final class ThresholdSet {

    public static final ThresholdSet DEFAULTS = new ThresholdSet(Map.of());

    private final double[] values;

    public ThresholdSet(Map<Threshold, Double> overrides) {
        values = new double[Threshold.values().length];
        for (Threshold t : Threshold.values()) {
            values[t.ordinal()] = overrides.getOrDefault(t, t.defaultValue());
        }
    }

    public double get(Threshold t) {
        return values[t.ordinal()];
    }

    public int getInt(Threshold t) {
        return (int) values[t.ordinal()];
    }

    public long millis(Threshold t) {
        return (long) (values[t.ordinal()] * 1000);
    }

    /** A copy with {@code changes} applied (null = back to the default). */
    public ThresholdSet with(Map<Threshold, Double> changes) {
        Map<Threshold, Double> all = new java.util.EnumMap<>(Threshold.class);
        for (Threshold t : Threshold.values()) {
            all.put(t, values[t.ordinal()]);
        }
        changes.forEach((t, v) -> all.put(t, v == null ? t.defaultValue() : v));
        return new ThresholdSet(all);
    }

    /** Problems with single values (range, whole numbers) of a proposed change; empty when fine. */
    public static List<String> checkValue(Threshold t, double value) {
        List<String> problems = new ArrayList<>();
        if (!Double.isFinite(value) || value < t.min() || value > t.max()) {
            problems.add(t.scope() + "." + t.key() + ": " + Threshold.format(value) + " is outside "
                    + Threshold.format(t.min()) + ".." + Threshold.format(t.max()) + " " + t.unit());
        } else if (t.whole() && value != Math.rint(value)) {
            problems.add(t.scope() + "." + t.key() + ": must be a whole number of " + t.unit());
        }
        return problems;
    }

    /** Problems between values (a clear threshold on the wrong side of its raise threshold); empty when fine. */
    public List<String> consistency() {
        List<String> problems = new ArrayList<>();
        for (Threshold t : Threshold.values()) {
            t.clears().ifPresent(band -> {
                double clear = get(t);
                double raise = get(band.raise());
                boolean ok = band.clearAbove() ? clear > raise : clear < raise;
                if (!ok) {
                    problems.add(t.scope() + "." + t.key() + " (" + Threshold.format(clear) + ") must be "
                            + (band.clearAbove() ? "above " : "below ") + t.scope() + "." + band.raise().key()
                            + " (" + Threshold.format(raise) + "): the gap between them is the hysteresis");
                }
            });
        }
        return problems;
    }
}
