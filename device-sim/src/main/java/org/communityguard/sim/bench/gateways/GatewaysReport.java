package org.communityguard.sim.bench.gateways;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/** The figures of a run, the RESULT line deploy/bench.sh ends with, and the arithmetic behind them. */
final class GatewaysReport {

    /**
     * What the RESULT line carries. NaN (or -1 for the memory) where a figure was not measured:
     * no gateway acknowledged in the window, the storm not over by its timeout, no hub pid.
     *
     * @param connectionsHeld  gateways the hub counted connected at the end of the steady state
     * @param stormReturned    gateways back after the storm, of {@code gateways}
     * @param stormMaxStallS   longest time the hub acknowledged no batch of any gateway, from the drop on
     * @param stormApiSlowestMs slowest answer of GET /api/health/live during the storm
     */
    record Outcome(int gateways, double offeredRps, int connectionsHeld, double connectAllS, double readingsPerS,
                   double ackP50Ms, double ackP99Ms, long hubRssMb, long hubRssPeakMb, int stormReturned,
                   double stormAllBackS, double stormMaxStallS, double stormApiSlowestMs, long readingsLost,
                   long readingsDuplicated) {
    }

    private GatewaysReport() {
    }

    static String resultLine(Outcome o) {
        return String.format(Locale.ROOT, "RESULT gateways=%d offered_rps=%d connections_held=%d connect_all_s=%s"
                        + " readings_per_s=%s ack_p50_ms=%s ack_p99_ms=%s hub_rss_mb=%s hub_rss_peak_mb=%s"
                        + " storm_returned=%d storm_all_back_s=%s storm_max_stall_s=%s storm_api_slowest_ms=%s"
                        + " readings_lost=%d readings_duplicated=%d",
                o.gateways(), Math.round(o.offeredRps()), o.connectionsHeld(), fixed(o.connectAllS(), 1),
                fixed(o.readingsPerS(), 0), fixed(o.ackP50Ms(), 1), fixed(o.ackP99Ms(), 1), mib(o.hubRssMb()),
                mib(o.hubRssPeakMb()), o.stormReturned(), fixed(o.stormAllBackS(), 1), fixed(o.stormMaxStallS(), 1),
                fixed(o.stormApiSlowestMs(), 0), o.readingsLost(), o.readingsDuplicated());
    }

    /** A percentile of a histogram of microseconds, in ms; NaN when it holds nothing. */
    static double percentileMs(Histogram micros, double pct) {
        return micros.getTotalCount() == 0 ? Double.NaN : micros.getValueAtPercentile(pct) / 1000.0;
    }

    /** Seconds from {@code fromNanos} to {@code atNanos}; NaN when it did not happen ({@code atNanos} 0). */
    static double secondsUntil(long fromNanos, long atNanos) {
        return atNanos == 0 ? Double.NaN : (atNanos - fromNanos) / 1e9;
    }

    /** What grew between two snapshots of the connection events, leaving out what did not. */
    static Map<String, Long> grown(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> d = new TreeMap<>();
        after.forEach((k, v) -> {
            long n = v - before.getOrDefault(k, 0L);
            if (n != 0) {
                d.put(k, n);
            }
        });
        return d;
    }

    /** "name n, name n" or "none". */
    static String events(Map<String, Long> events) {
        StringBuilder sb = new StringBuilder();
        events.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ')
                .append(String.format(Locale.ROOT, "%,d", v)));
        return sb.length() == 0 ? "none" : sb.toString();
    }

    private static String fixed(double v, int decimals) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static String mib(long v) {
        return v < 0 ? "n/a" : Long.toString(v);
    }
}
