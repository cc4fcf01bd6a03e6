package org.communityguard.edge.buffer;

/**
 * How fast the normal lane drains to the hub: a token bucket of readings per second, holding at
 * most one second's worth, so a backlog of hours leaves at a steady rate instead of all at once
 * (the hub serves many gateways coming back after the same outage). Zero means no limit.
 */
final class DrainRate {

    private final int perSecond;
    private double tokens;
    private long refilledAt = System.nanoTime();

    DrainRate(int perSecond) {
        if (perSecond < 0) {
            throw new IllegalArgumentException("drain rate must not be negative: " + perSecond);
        }
        this.perSecond = perSecond;
        this.tokens = perSecond;
    }

    /** How many of {@code wanted} readings may go now. */
    synchronized int available(int wanted) {
        if (perSecond == 0) {
            return wanted;
        }
        refill();
        return (int) Math.min(wanted, Math.floor(tokens));
    }

    synchronized void consume(int readings) {
        if (perSecond != 0) {
            refill();
            tokens -= readings;
        }
    }

    /** Nanoseconds until at least one reading may go. */
    synchronized long nanosUntilAvailable() {
        if (perSecond == 0) {
            return 0;
        }
        refill();
        return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) * 1e9 / perSecond);
    }

    private void refill() {
        long now = System.nanoTime();
        tokens = Math.min(perSecond, tokens + (now - refilledAt) * perSecond / 1e9);
        refilledAt = now;
    }
}
