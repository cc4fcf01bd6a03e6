package org.communityguard.sim.bench.alarm;

import java.util.List;

/**
 * p50, p99 and max of a level's alarm latencies, exact (a few hundred values: no histogram
 * buckets needed), by the nearest-rank method: the value at rank ceil(p/100 * n) of the sorted
 * values, so every figure reported is one an alarm actually took.
 */
record Latency(int count, double p50Ms, double p99Ms, double maxMs) {

    static Latency of(List<Long> nanos) {
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        if (sorted.length == 0) {
            return new Latency(0, Double.NaN, Double.NaN, Double.NaN);
        }
        return new Latency(sorted.length, percentile(sorted, 50) / 1e6, percentile(sorted, 99) / 1e6,
                sorted[sorted.length - 1] / 1e6);
    }

    /** The nearest-rank percentile of values sorted ascending (at least one). */
    static long percentile(long[] sorted, double pct) {
        if (sorted.length == 0) {
            throw new IllegalArgumentException("a percentile of no values");
        }
        int rank = (int) Math.ceil(pct / 100 * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }
}
