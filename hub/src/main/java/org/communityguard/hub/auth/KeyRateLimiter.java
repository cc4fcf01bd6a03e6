package org.communityguard.hub.auth;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Each API key's rate limit, a token bucket: a key of {@code n} requests a minute holds at most
 * {@code n} tokens (a minute's worth may come at once), refilled evenly at {@code n/60} a second;
 * a request takes one, and without one it is refused with the seconds until the next token. A
 * bucket starts full. Buckets are in memory, one per key used since the hub started (keys are
 * few and made by people), so with several hubs behind a balancer each hub limits on its own.
 */
public final class KeyRateLimiter {

    private static final double NANOS_PER_MINUTE = 60e9;

    /** Whether a request may go ahead and, when not, in how many whole seconds (at least 1) it may. */
    public record Verdict(boolean allowed, long retryAfterSeconds) {
        static final Verdict ALLOWED = new Verdict(true, 0);
    }

    private final LongSupplier nanoTime;
    private final Map<String, Bucket> buckets = new HashMap<>();

    public KeyRateLimiter(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** Takes a token from the key's bucket; a changed rate starts the key a new, full bucket. */
    public synchronized Verdict acquire(String keyId, int perMinute) {
        if (perMinute < 1) {
            throw new IllegalArgumentException("a rate is at least 1 a minute");
        }
        long now = nanoTime.getAsLong();
        Bucket b = buckets.get(keyId);
        if (b == null || b.perMinute != perMinute) {
            b = new Bucket(perMinute, now);
            buckets.put(keyId, b);
        }
        b.tokens = Math.min(perMinute, b.tokens + (now - b.updated) * perMinute / NANOS_PER_MINUTE);
        b.updated = now;
        if (b.tokens >= 1) {
            b.tokens -= 1;
            return Verdict.ALLOWED;
        }
        double waitNanos = (1 - b.tokens) * NANOS_PER_MINUTE / perMinute;
        return new Verdict(false, Math.max(1, (long) Math.ceil(waitNanos / 1e9)));
    }

    private static final class Bucket {
        final int perMinute;
        double tokens;
        long updated;

        Bucket(int perMinute, long now) {
            this.perMinute = perMinute;
            this.tokens = perMinute;
            this.updated = now;
        }
    }
}
