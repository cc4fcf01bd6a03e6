package org.communityguard.hub.incident.threshold;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Every detection threshold, in one place: scope (a device type, {@code gateway} or
 * {@code community}), key, unit, default, allowed range and meaning. A community overrides any
 * of them in the {@code thresholds} table (API: {@code PUT /api/communities/{id}/thresholds});
 * the rest keep these defaults. docs/incidents.md's threshold table is generated from this list.
 *
 * <p>A raise threshold and its clear threshold form a hysteresis band: {@link #clears} names the
 * threshold a clear value belongs to and on which side of it the value must lie.
 */
public enum Threshold {

    GROUP_WINDOW("community", "group_window_s", "s", 60, 0, 3600,
            "incidents in one building that occur within this many seconds of each other share a group"),

    GATEWAY_OFFLINE_AFTER("gateway", "offline_after_s", "s", 300, 10, 86_400,
            "GATEWAY_OFFLINE when a gateway's uplink has been disconnected this long"),

    FIRE_OBSCURATION("smoke_detector", "fire_obscuration_pct_m", "%/m", 10, 0.5, 100,
            "FIRE when smoke obscuration is at or over this"),
    FIRE_HEAT("smoke_detector", "fire_heat_c", "°C", 57, 40, 150,
            "FIRE when the temperature is at or over this (fixed-temperature heat alarm)"),
    FIRE_RATE_OF_RISE("smoke_detector", "fire_rise_c_per_min", "°C/min", 8, 1, 100,
            "FIRE when the temperature rose this fast, measured against a reading 1 to 10 minutes older"),
    FIRE_CONFIRM_WINDOW("smoke_detector", "fire_confirm_window_s", "s", 300, 30, 3600,
            "a FIRE at a second detector of the same building within this many seconds confirms the fire"),
    TEST_SUPPRESS("smoke_detector", "test_suppress_s", "s", 60, 0, 600,
            "after a test-button press, the detector's own alarm verdict is the test, not a fire, for this long"),
    SMOKE_BATTERY_LOW("smoke_detector", "battery_low_pct", "%", 15, 1, 80,
            "LOW_BATTERY at or under this"),
    SMOKE_BATTERY_CLEAR("smoke_detector", "battery_clear_pct", "%", 20, 2, 100,
            "low battery counts as cleared at or over this"),
    SMOKE_DEBOUNCE("smoke_detector", "debounce_readings", "readings", 1, 1, 20,
            "consecutive readings over a measured threshold (battery) before an incident opens"),
    SMOKE_OFFLINE("smoke_detector", "offline_after_intervals", "intervals", 3, 2, 100,
            "DEVICE_OFFLINE after this many reporting intervals without data"),

    COVER_TILT("manhole", "cover_tilt_deg", "°", 10, 1, 90,
            "COVER_DISPLACED when the cover's tilt is at or over this"),
    COVER_TILT_CLEAR("manhole", "cover_tilt_clear_deg", "°", 5, 0, 89,
            "cover tilt counts as back to normal under this"),
    FLOOD_LEVEL("manhole", "flood_level_cm", "cm", 30, 0, 500,
            "FLOOD_RISK when the water is this close to the cover or closer (water_below_cover_cm at or under)"),
    FLOOD_CLEAR("manhole", "flood_clear_cm", "cm", 50, 1, 1000,
            "high water counts as receded once it is this far below the cover and no longer rising"),
    FLOOD_RISE_RATE("manhole", "flood_rise_cm_per_min", "cm/min", 1, 0.1, 1000,
            "water rising at least this fast (least-squares over the trend window) counts as rising"),
    FLOOD_MIN_RISE("manhole", "flood_min_rise_cm", "cm", 10, 1, 500,
            "a trend counts only when the fitted rise over the window is at least this (sensor noise guard)"),
    FLOOD_PREDICT("manhole", "flood_predict_min", "min", 30, 1, 1440,
            "FLOOD_RISK when rising water is predicted to reach the cover within this time"),
    FLOOD_WINDOW("manhole", "flood_trend_window_s", "s", 1800, 60, 86_400,
            "readings of the last this-many seconds (at most 16) make the water-level trend"),
    GAS_CH4("manhole", "ch4_pct_lel", "%LEL", 10, 1, 100,
            "TOXIC_GAS when methane is at or over this"),
    GAS_CH4_CLEAR("manhole", "ch4_clear_pct_lel", "%LEL", 5, 0, 99,
            "methane counts as cleared under this"),
    GAS_H2S("manhole", "h2s_ppm", "ppm", 10, 1, 500,
            "TOXIC_GAS when hydrogen sulphide is at or over this"),
    GAS_H2S_CLEAR("manhole", "h2s_clear_ppm", "ppm", 5, 0, 499,
            "hydrogen sulphide counts as cleared under this"),
    MANHOLE_BATTERY_LOW("manhole", "battery_low_pct", "%", 15, 1, 80,
            "LOW_BATTERY at or under this"),
    MANHOLE_BATTERY_CLEAR("manhole", "battery_clear_pct", "%", 20, 2, 100,
            "low battery counts as cleared at or over this"),
    MANHOLE_DEBOUNCE("manhole", "debounce_readings", "readings", 2, 1, 20,
            "consecutive readings over a measured threshold (tilt, water, gas, battery) before an incident opens"),
    MANHOLE_OFFLINE("manhole", "offline_after_intervals", "intervals", 3, 2, 100,
            "DEVICE_OFFLINE after this many reporting intervals without data"),

    LEAKAGE("lamp_post", "leakage_ma", "mA", 30, 1, 1000,
            "ELECTRIC_LEAKAGE when earth-leakage current is at or over this"),
    LEAKAGE_CLEAR("lamp_post", "leakage_clear_ma", "mA", 15, 0, 999,
            "leakage counts as cleared under this"),
    LAMP_TILT("lamp_post", "tilt_deg", "°", 5, 1, 90,
            "STRUCTURAL_TILT when the pole's tilt is at or over this"),
    LAMP_TILT_CLEAR("lamp_post", "tilt_clear_deg", "°", 3, 0, 89,
            "tilt counts as back to normal under this"),
    LAMP_FAULT_POWER("lamp_post", "lamp_fault_power_w", "W", 5, 0.5, 500,
            "LAMP_FAULT when the lamp is on (not dimmed to 0) but draws less than this"),
    LAMP_DEBOUNCE("lamp_post", "debounce_readings", "readings", 2, 1, 20,
            "consecutive readings over a measured threshold (leakage, tilt, power) before an incident opens"),
    LAMP_OFFLINE("lamp_post", "offline_after_intervals", "intervals", 3, 2, 100,
            "DEVICE_OFFLINE after this many reporting intervals without data"),

    HELD_OPEN("door_access", "held_open_s", "s", 120, 10, 86_400,
            "DOOR_HELD_OPEN when a door has been open this long"),
    BRUTE_FORCE_ATTEMPTS("door_access", "brute_force_attempts", "attempts", 5, 2, 50,
            "BRUTE_FORCE when this many access attempts are denied at one door within the window"),
    BRUTE_FORCE_WINDOW("door_access", "brute_force_window_s", "s", 60, 5, 3600,
            "the brute-force window"),
    DOOR_OFFLINE("door_access", "offline_after_intervals", "intervals", 3, 2, 100,
            "DEVICE_OFFLINE after this many reporting intervals without data");

    /** Scopes in display order. */
    public static final List<String> SCOPES = List.of("community", "gateway", "smoke_detector", "manhole", "lamp_post", "door_access");

    private final String scope;
    private final String key;
    private final String unit;
    private final double defaultValue;
    private final double min;
    private final double max;
    private final String description;

    Threshold(String scope, String key, String unit, double defaultValue, double min, double max, String description) {
        this.scope = scope;
        this.key = key;
        this.unit = unit;
        this.defaultValue = defaultValue;
        this.min = min;
        this.max = max;
        this.description = description;
    }

    public String scope() {
        return scope;
    }

    public String key() {
        return key;
    }

    public String unit() {
        return unit;
    }

    public double defaultValue() {
        return defaultValue;
    }

    public double min() {
        return min;
    }

    public double max() {
        return max;
    }

    public String description() {
        return description;
    }

    /** Whether values must be whole numbers (counts and seconds). */
    public boolean whole() {
        return switch (unit) {
            case "s", "readings", "intervals", "attempts", "min" -> true;
            default -> false;
        };
    }

    /**
     * For a clear threshold: the raise threshold it belongs to, and whether the clear value must
     * be above it ({@code true}: water further below the cover, battery fuller) or below it.
     */
    public record Band(Threshold raise, boolean clearAbove) {
    }

    public Optional<Band> clears() {
        return Optional.ofNullable(switch (this) {
            case SMOKE_BATTERY_CLEAR -> new Band(SMOKE_BATTERY_LOW, true);
            case MANHOLE_BATTERY_CLEAR -> new Band(MANHOLE_BATTERY_LOW, true);
            case COVER_TILT_CLEAR -> new Band(COVER_TILT, false);
            case FLOOD_CLEAR -> new Band(FLOOD_LEVEL, true);
            case GAS_CH4_CLEAR -> new Band(GAS_CH4, false);
            case GAS_H2S_CLEAR -> new Band(GAS_H2S, false);
            case LEAKAGE_CLEAR -> new Band(LEAKAGE, false);
            case LAMP_TILT_CLEAR -> new Band(LAMP_TILT, false);
            default -> null;
        });
    }

    public static Optional<Threshold> find(String scope, String key) {
        for (Threshold t : values()) {
            if (t.scope.equals(scope) && t.key.equals(key)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** The value as the API and docs show it: whole numbers without a decimal point. */
    public static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15
                ? Long.toString((long) value) : String.format(Locale.ROOT, "%s", value);
    }

    /** Prints the reference table; deploy/config-reference.sh puts it into docs/incidents.md. */
    public static void main(String[] args) {
        System.out.print(markdownTable());
    }

    /** The reference table of docs/incidents.md. */
    public static String markdownTable() {
        StringBuilder sb = new StringBuilder();
        sb.append("| scope | key | default | unit | allowed | meaning |\n");
        sb.append("| --- | --- | --- | --- | --- | --- |\n");
        for (String scope : SCOPES) {
            for (Threshold t : values()) {
                if (!t.scope.equals(scope)) {
                    continue;
                }
                sb.append("| `").append(t.scope).append("` | `").append(t.key).append("` | ")
                        .append(format(t.defaultValue)).append(" | ").append(t.unit).append(" | ")
                        .append(format(t.min)).append("..").append(format(t.max)).append(" | ")
                        .append(t.description);
                t.clears().ifPresent(b -> sb.append(" (must be ").append(b.clearAbove() ? "above" : "below")
                        .append(" `").append(b.raise().key).append("`)"));
                sb.append(" |\n");
            }
        }
        return sb.toString();
    }
}
