package org.communityguard.sim.device;

import org.communityguard.sim.site.SiteDevice;

import java.util.List;
import java.util.Map;

/**
 * A street lamp on a 220 V feed with an LED head, a photocell and an earth-leakage sensor.
 * It follows the community's lighting schedule (on from 18:30 to 06:00, dimmed to half from
 * 23:00 to 05:00) unless a {@code lamp} command overrides it; the override holds until the next
 * command, which is how the gateway's fire linkage keeps paths at full brightness.
 */
public final class LampPost extends SimDevice {

    private static final double POWER_FACTOR = 0.95;

    private final double ratedW;
    private final double tiltDeg;
    private final double leakageMa;
    private final double shading;
    private Boolean commandedOn;
    private Integer commandedDim;
    private boolean flash;
    private double rainLeakageMa;
    private boolean raining;

    LampPost(SiteDevice entry, long seed) {
        super(entry, seed);
        ratedW = 60 + 10 * random.nextInt(10);
        tiltDeg = between(0.2, 1.5);
        leakageMa = between(0.5, 3.5);
        shading = between(0.5, 1.0);
    }

    /** Rain gets into the cabinet: each later reading shows more earth leakage, up to ~50 mA. */
    public synchronized void startRain() {
        raining = true;
    }

    @Override
    protected void sample(Moment moment, Map<String, Object> telemetry, List<Map<String, Object>> events) {
        double h = hours(moment);
        boolean night = h >= 18.5 || h < 6;
        boolean on = commandedOn != null ? commandedOn : night;
        int dim = on ? (commandedDim != null ? commandedDim : (h >= 23 || h < 5) ? 50 : 100) : 0;
        double voltage = clamp(220 + noise(2), 190, 250);
        // An LED driver draws close to rated power times the dim level, plus the controller's few watts.
        double power = on ? 4 + ratedW * dim / 100.0 * (1 + noise(0.02)) : between(1.5, 2.5);
        power = clamp(power, 0, 2000);
        if (raining) {
            rainLeakageMa = Math.min(rainLeakageMa + 12, 48);
        }
        double leakage = clamp(leakageMa + rainLeakageMa + noise(0.15), 0, 1000);
        double daylight = h > 6 && h < 18 ? Math.sin(Math.PI * (h - 6) / 12) : 0;
        double lux = daylight * 60_000 * shading * (1 + noise(0.05)) + (on ? 15.0 * dim / 100 : 0) + between(0, 1);

        telemetry.put("lamp_on", on);
        telemetry.put("dim_pct", dim);
        telemetry.put("power_w", round(power, 1));
        telemetry.put("voltage_v", round(voltage, 1));
        telemetry.put("current_a", round(clamp(power / (voltage * POWER_FACTOR), 0, 20), 3));
        telemetry.put("leakage_ma", round(leakage, 2));
        telemetry.put("tilt_deg", round(clamp(tiltDeg + noise(0.05), 0, 90), 2));
        telemetry.put("lux", round(clamp(lux, 0, 200_000), 1));
        telemetry.put("cabinet_open", false);
        if (flash) {
            telemetry.put("flash", true);
        }
    }

    @Override
    protected boolean applyOwn(Command command) {
        if (!"lamp".equals(command.cmd())) {
            return false;
        }
        var on = command.bool("on");
        var dim = command.number("dim_pct").filter(d -> d >= 0 && d <= 100);
        var flashing = command.bool("flash");
        if (on.isEmpty() && dim.isEmpty() && flashing.isEmpty()) {
            return false;
        }
        on.ifPresent(value -> commandedOn = value);
        dim.ifPresent(value -> commandedDim = (int) Math.round(value));
        flashing.ifPresent(value -> flash = value);
        return true;
    }

    @Override
    protected void resetScenario() {
        raining = false;
        rainLeakageMa = 0;
    }
}
