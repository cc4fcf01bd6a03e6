package org.communityguard.sim.device;

import org.communityguard.sim.site.SiteDevice;

import java.util.List;
import java.util.Map;

/**
 * A manhole cover monitor (NB-IoT, battery): cover switch and tilt, an ultrasonic water gauge
 * measuring the distance from the cover down to the water, and a methane / H2S gas cell.
 */
public final class Manhole extends SimDevice {

    /** Where a rising flood stops: a few centimetres under the cover. */
    static final double FLOOD_CM = 6;

    private final double waterBaseCm;
    private final double tiltDeg;
    private final double rssiDbm;
    private double waterCm;
    private double batteryPct;
    private boolean coverOpen;
    private boolean coverReportedOpen;
    private double coverTiltDeg;
    private double floodStepCm;
    private boolean gas;
    private double ch4PctLel;
    private double h2sPpm;

    Manhole(SiteDevice entry, long seed) {
        super(entry, seed);
        waterBaseCm = between(120, 250);
        waterCm = waterBaseCm;
        tiltDeg = between(0.1, 1.0);
        rssiDbm = between(-105, -75);
        batteryPct = between(60, 98);
    }

    /** Someone lifts or knocks the cover off: open, tilted. */
    public synchronized void displaceCover() {
        coverOpen = true;
        coverTiltDeg = between(25, 40);
    }

    /** Heavy rain: the water climbs toward the cover over the next six readings. */
    public synchronized void startFlood() {
        floodStepCm = Math.max(1, (waterCm - FLOOD_CM) / 6);
    }

    /** Sewer gas builds up: methane and H2S climb over the next three readings. */
    public synchronized void startGasLeak() {
        gas = true;
    }

    @Override
    protected void sample(Moment moment, Map<String, Object> telemetry, List<Map<String, Object>> events) {
        if (floodStepCm > 0) {
            waterCm = Math.max(FLOOD_CM, waterCm - floodStepCm);
        } else {
            // Slow wander around the usual level, pulled back toward it.
            waterCm = clamp(waterCm + (waterBaseCm - waterCm) * 0.1 + noise(1.5), 30, 400);
        }
        if (gas) {
            ch4PctLel = Math.min(ch4PctLel + 12, 40);
            h2sPpm = Math.min(h2sPpm + 15, 50);
        }
        batteryPct = Math.max(0, batteryPct - 0.002);
        if (coverOpen != coverReportedOpen) {
            events.add(eventData(coverOpen ? "cover_opened" : "cover_closed"));
            coverReportedOpen = coverOpen;
        }
        double tilt = coverOpen ? coverTiltDeg + noise(0.5) : tiltDeg + noise(0.05);

        telemetry.put("cover_open", coverOpen);
        telemetry.put("tilt_deg", round(clamp(tilt, 0, 90), 2));
        telemetry.put("water_below_cover_cm", round(clamp(waterCm, 0, 1000), 1));
        telemetry.put("ch4_pct_lel", round(clamp(ch4PctLel + Math.abs(noise(0.2)), 0, 100), 2));
        telemetry.put("h2s_ppm", round(clamp(h2sPpm + Math.abs(noise(0.1)), 0, 500), 2));
        telemetry.put("battery_pct", round(clamp(batteryPct, 0, 100), 1));
        telemetry.put("rssi_dbm", (int) Math.round(clamp(rssiDbm + noise(3), -140, 0)));
    }

    @Override
    protected boolean applyOwn(Command command) {
        return false;
    }

    @Override
    protected void resetScenario() {
        coverOpen = false;
        floodStepCm = 0;
        waterCm = waterBaseCm;
        gas = false;
        ch4PctLel = 0;
        h2sPpm = 0;
    }
}
