package org.communityguard.hub.telemetry;

import java.time.Duration;
import java.util.List;

/**
 * The bucket a chart of a given span is drawn with: the smallest of a fixed ladder of round sizes
 * that gives at most {@link #MAX_POINTS} points. A fixed ladder keeps buckets on round times
 * (whole minutes, hours, days) and the same span always gets the same bucket: 6 h in 2 min, 24 h
 * in 5 min, 7 days in 1 h, 30 days in 3 h.
 */
public final class Buckets {

    public static final int MAX_POINTS = 300;

    static final List<Duration> LADDER = List.of(
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2),
            Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(15), Duration.ofMinutes(30),
            Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(3), Duration.ofHours(6),
            Duration.ofHours(12), Duration.ofDays(1), Duration.ofDays(2), Duration.ofDays(7));

    private Buckets() {
    }

    public static Duration forSpan(Duration span) {
        if (span.isNegative() || span.isZero()) {
            throw new IllegalArgumentException("a chart spans a positive time: " + span);
        }
        for (Duration bucket : LADDER) {
            if (span.toMillis() <= bucket.toMillis() * MAX_POINTS) {
                return bucket;
            }
        }
        return LADDER.get(LADDER.size() - 1);
    }
}
