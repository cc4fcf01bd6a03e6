package org.communityguard.sim.bench.gateways;

/**
 * The longest time the hub as a whole acknowledged nothing, over a watched span: the gaps
 * between consecutive acknowledgements of any gateway, counting the span's start and end as
 * edges, so a hub that acknowledges nothing after the start stalls until the end. Acknowledgements
 * arrive on several event loops, each timed just before it is counted here, so a time a little
 * older than the last one counted is taken as no gap rather than a negative one.
 */
final class StallMeter {

    /** The longest gap, and when it began, counted from the span's start. */
    record Stall(long longestNanos, long beganAfterNanos) {
    }

    private boolean watching;
    private long startNanos;
    private long lastNanos;
    private long longestNanos;
    private long longestBeganNanos;

    /** Starts a span at {@code nowNanos}, forgetting any earlier one. */
    synchronized void start(long nowNanos) {
        watching = true;
        startNanos = nowNanos;
        lastNanos = nowNanos;
        longestNanos = 0;
        longestBeganNanos = nowNanos;
    }

    /** An acknowledgement at {@code nowNanos}; ignored outside a span. */
    synchronized void acknowledged(long nowNanos) {
        if (!watching) {
            return;
        }
        long gap = nowNanos - lastNanos;
        if (gap > longestNanos) {
            longestNanos = gap;
            longestBeganNanos = lastNanos;
        }
        lastNanos = Math.max(lastNanos, nowNanos);
    }

    /** Ends the span at {@code nowNanos}: the gap up to it counts too. */
    synchronized Stall end(long nowNanos) {
        acknowledged(nowNanos);
        watching = false;
        return new Stall(longestNanos, longestBeganNanos - startNanos);
    }
}
