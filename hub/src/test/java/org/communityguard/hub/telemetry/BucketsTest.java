package org.communityguard.hub.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BucketsTest {

    @Test
    void theConsoleRangesGetRoundBuckets() {
        assertThat(Buckets.forSpan(Duration.ofHours(6))).isEqualTo(Duration.ofMinutes(2));
        assertThat(Buckets.forSpan(Duration.ofHours(24))).isEqualTo(Duration.ofMinutes(5));
        assertThat(Buckets.forSpan(Duration.ofDays(7))).isEqualTo(Duration.ofHours(1));
        assertThat(Buckets.forSpan(Duration.ofDays(30))).isEqualTo(Duration.ofHours(3));
    }

    @Test
    void neverMoreThanMaxPointsAndTheSmallestBucketThatKeepsIt() {
        for (long minutes = 1; minutes <= 400L * 24 * 60; minutes = minutes * 3 / 2 + 1) {
            Duration span = Duration.ofMinutes(minutes);
            Duration bucket = Buckets.forSpan(span);
            assertThat(span.toMillis() / bucket.toMillis()).as("points for %s", span).isLessThanOrEqualTo(Buckets.MAX_POINTS);
            int index = Buckets.LADDER.indexOf(bucket);
            if (index > 0) {
                Duration smaller = Buckets.LADDER.get(index - 1);
                assertThat(span.toMillis()).as("%s would do for %s", smaller, span)
                        .isGreaterThan(smaller.toMillis() * Buckets.MAX_POINTS);
            }
        }
    }

    @Test
    void exactlyMaxPointsStillFits() {
        assertThat(Buckets.forSpan(Duration.ofMinutes(300))).isEqualTo(Duration.ofMinutes(1));
        assertThat(Buckets.forSpan(Duration.ofMinutes(300).plusSeconds(1))).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void anEmptySpanIsAnError() {
        assertThatThrownBy(() -> Buckets.forSpan(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
