package org.communityguard.sim.device;

import org.communityguard.sim.site.SiteDevice;

import java.util.List;
import java.util.Map;

/**
 * A photoelectric smoke detector with a heat element (NB-IoT, battery). Its own verdict follows
 * common thresholds: pre-alarm from 4 %/m obscuration, alarm from 10 %/m or 57 °C (the usual
 * fixed-temperature rating), cleared only once smoke is under 2 %/m and heat under 50 °C.
 */
public final class SmokeDetector extends SimDevice {

    /** Smoke and heat at successive readings once a fire has started near the detector. */
    private static final double[] FIRE_SMOKE_PCT_M = {1.5, 5.5, 12, 20, 28, 35, 40, 45};
    private static final double[] FIRE_TEMP_C = {27, 33, 41, 50, 58, 66, 74, 80};
    /** The first fire reading at or over the alarm threshold (12 %/m). */
    private static final int FIRST_ALARM_READING = 2;

    private enum Level { NONE, PRE_ALARM, ALARM }

    private final double roomTempC;
    private final double rssiDbm;
    private double batteryPct;
    private int fireReadings = -1;
    private Level level = Level.NONE;

    SmokeDetector(SiteDevice entry, long seed) {
        super(entry, seed);
        roomTempC = between(19, 25);
        rssiDbm = between(-105, -75);
        batteryPct = between(70, 100);
    }

    /** A fire starts near this detector: each later reading shows more smoke and heat. */
    public synchronized void ignite() {
        if (fireReadings < 0) {
            fireReadings = 0;
        }
    }

    /**
     * A fire already big when the detector first sees it: the next reading is over the alarm
     * threshold (and raises {@code alarm}); later ones grow as after {@link #ignite()}.
     */
    public synchronized void igniteAtAlarm() {
        fireReadings = Math.max(fireReadings, FIRST_ALARM_READING);
    }

    /** Someone presses the test button: a {@code test} event, never an alarm. */
    public synchronized void pressTestButton() {
        queueEvent(eventData("test"));
    }

    /** Whether the detector's own verdict is currently "alarm". */
    public synchronized boolean alarm() {
        return level == Level.ALARM;
    }

    @Override
    protected void sample(Moment moment, Map<String, Object> telemetry, List<Map<String, Object>> events) {
        double smoke;
        double temp;
        if (fireReadings >= 0) {
            int i = Math.min(fireReadings, FIRE_SMOKE_PCT_M.length - 1);
            smoke = FIRE_SMOKE_PCT_M[i] + noise(0.3);
            temp = FIRE_TEMP_C[i] + noise(0.5);
            fireReadings++;
        } else {
            smoke = Math.abs(noise(0.08));
            temp = roomTempC + Math.sin(2 * Math.PI * (hours(moment) - 9) / 24) + noise(0.15);
        }
        smoke = clamp(smoke, 0, 100);
        temp = clamp(temp, -40, 150);
        batteryPct = Math.max(0, batteryPct - 0.001);

        Level next = verdict(smoke, temp);
        if (next.compareTo(level) > 0) {
            Map<String, Object> alarm = eventData("alarm");
            alarm.put("level", next == Level.ALARM ? "alarm" : "pre_alarm");
            events.add(alarm);
            level = next;
        } else if (next == Level.NONE && level != Level.NONE) {
            events.add(eventData("alarm_cleared"));
            level = next;
        }

        telemetry.put("smoke_obscuration_pct_m", round(smoke, 2));
        telemetry.put("temp_c", round(temp, 1));
        telemetry.put("alarm", level == Level.ALARM);
        telemetry.put("tamper", false);
        telemetry.put("battery_pct", round(clamp(batteryPct, 0, 100), 1));
        telemetry.put("rssi_dbm", (int) Math.round(clamp(rssiDbm + noise(3), -140, 0)));
    }

    /** Raising is immediate; clearing waits for well-below-threshold values (hysteresis). */
    private Level verdict(double smoke, double temp) {
        if (smoke >= 10 || temp >= 57) {
            return Level.ALARM;
        }
        if (level != Level.NONE && (smoke >= 2 || temp >= 50)) {
            return level;
        }
        return smoke >= 4 ? Level.PRE_ALARM : Level.NONE;
    }

    @Override
    protected boolean applyOwn(Command command) {
        return false;
    }

    @Override
    protected void resetScenario() {
        fireReadings = -1;
    }
}
