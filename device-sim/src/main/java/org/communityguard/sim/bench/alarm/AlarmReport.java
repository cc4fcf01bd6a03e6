package org.communityguard.sim.bench.alarm;

import java.util.List;
import java.util.Locale;

/** The per-level lines and the RESULT line deploy/bench.sh alarm ends with. */
final class AlarmReport {

    private AlarmReport() {
    }

    /** One level, for people: the background achieved (and whether it fell short), alarms, latencies. */
    static String levelLine(LevelResult r) {
        String offered = r.level().max() ? "as fast as the windows allow"
                : String.format(Locale.ROOT, "offered %,d/s", Math.round(r.level().readingsPerSecond()));
        return String.format(Locale.ROOT, "level %s: background %,d readings/s stored (%s)%s; alarms sent %d, seen %d,"
                        + " lost %d, duplicated %d; latency p50 %s ms, p99 %s ms, max %s ms; of it: edge agent's answer"
                        + " p50 %s ms, p99 %s ms; hub safety lane (arrival to commit, %.0f batches) p50 <= %s ms, p99 <= %s ms",
                r.level().key(), Math.round(r.achievedRps()), offered,
                r.reached() ? "" : ", NOT REACHED (below " + Math.round(LevelResult.REACHED_SHARE * 100) + "% of the offer)",
                r.tally().sent(), r.tally().seen(), r.tally().lost(), r.tally().duplicated(),
                ms(r.latency().p50Ms()), ms(r.latency().p99Ms()), ms(r.latency().maxMs()),
                ms(r.edge().p50Ms()), ms(r.edge().p99Ms()), r.hubLane().count(),
                ms(r.hubLane().percentileBoundMs(50)), ms(r.hubLane().percentileBoundMs(99)));
    }

    /**
     * The machine-readable last line: per level its p50, p99 and max (ms, one decimal; n/a when no
     * alarm of it was seen), then per level the background stored per second and, for a fixed
     * level, whether it was reached; then the alarm totals.
     */
    static String resultLine(List<LevelResult> results, int unexpected, long backgroundFailures, long seed) {
        StringBuilder sb = new StringBuilder("RESULT");
        for (LevelResult r : results) {
            String k = r.level().key();
            sb.append(" alarm_p50_ms_").append(k).append('=').append(ms(r.latency().p50Ms()))
                    .append(" alarm_p99_ms_").append(k).append('=').append(ms(r.latency().p99Ms()))
                    .append(" alarm_max_ms_").append(k).append('=').append(ms(r.latency().maxMs()));
        }
        for (LevelResult r : results) {
            String k = r.level().key();
            sb.append(" alarm_edge_p99_ms_").append(k).append('=').append(ms(r.edge().p99Ms()))
                    .append(" hub_safety_lane_p99_ms_").append(k).append('=').append(ms(r.hubLane().percentileBoundMs(99)));
        }
        for (LevelResult r : results) {
            sb.append(" background_rps_").append(r.level().key()).append('=').append(Math.round(r.achievedRps()));
            if (!r.level().max()) {
                sb.append(" background_reached_").append(r.level().key()).append('=').append(r.reached() ? "yes" : "no");
            }
        }
        int sent = results.stream().mapToInt(r -> r.tally().sent()).sum();
        int seen = results.stream().mapToInt(r -> r.tally().seen()).sum();
        int lost = results.stream().mapToInt(r -> r.tally().lost()).sum();
        int duplicated = results.stream().mapToInt(r -> r.tally().duplicated()).sum();
        sb.append(String.format(Locale.ROOT, " alarms_sent=%d alarms_seen=%d alarms_lost=%d alarms_duplicated=%d"
                + " fire_events_unexpected=%d background_failures=%d seed=%d", sent, seen, lost, duplicated, unexpected,
                backgroundFailures, seed));
        return sb.toString();
    }

    private static String ms(double value) {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%.1f", value);
    }
}
