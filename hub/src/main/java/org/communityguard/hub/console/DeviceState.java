package org.communityguard.hub.console;

import java.time.Duration;
import java.time.Instant;

/**
 * The one word the site plan colours a device by, most urgent first: {@code alarm} (an open
 * critical or major incident), {@code offline} (reported offline, or silent for three of its
 * reporting intervals), {@code warning} (an open minor incident, or battery under 20 %),
 * {@code unknown} (never heard from), else {@code ok}.
 */
public final class DeviceState {

    static final double LOW_BATTERY_PCT = 20;
    static final int SILENT_INTERVALS = 3;

    private DeviceState() {
    }

    /** The reporting interval the site file implies when it gives none (docs/site-file.md). */
    public static int defaultIntervalSeconds(String type) {
        return "manhole".equals(type) || "smoke_detector".equals(type) ? 300 : 60;
    }

    public static String of(String worstOpenSeverity, Instant lastSeen, boolean reportedOffline, Integer intervalS,
                            String type, Double batteryPct, Instant now) {
        if ("critical".equals(worstOpenSeverity) || "major".equals(worstOpenSeverity)) {
            return "alarm";
        }
        if (lastSeen == null) {
            return worstOpenSeverity != null ? "warning" : "unknown";
        }
        int interval = intervalS != null ? intervalS : defaultIntervalSeconds(type);
        if (reportedOffline || lastSeen.isBefore(now.minus(Duration.ofSeconds((long) interval * SILENT_INTERVALS)))) {
            return "offline";
        }
        if (worstOpenSeverity != null || (batteryPct != null && batteryPct < LOW_BATTERY_PCT)) {
            return "warning";
        }
        return "ok";
    }
}
