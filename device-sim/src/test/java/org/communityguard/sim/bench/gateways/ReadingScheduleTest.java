package org.communityguard.sim.bench.gateways;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReadingScheduleTest {

    private static final long S = 1_000_000_000L;
    private static final long MS = 1_000_000L;

    @Test
    void readingKIsDeviceKModNsReadingNumberKDivN() {
        // Three devices at 5 s, 1 s and 30 s into a minute, sorted into the gateway's order.
        ReadingSchedule s = new ReadingSchedule(1000, 60 * S, new long[] {5 * S, 1 * S, 30 * S});

        assertThat(s.dueNanos(0)).isEqualTo(1000 + S);
        assertThat(s.dueNanos(1)).isEqualTo(1000 + 5 * S);
        assertThat(s.dueNanos(2)).isEqualTo(1000 + 30 * S);
        assertThat(s.dueNanos(3)).isEqualTo(1000 + 61 * S);
        assertThat(s.dueNanos(7)).isEqualTo(1000 + 125 * S);
    }

    @Test
    void dueByCountsTheReadingsDueAtOrBeforeAnInstant() {
        ReadingSchedule s = new ReadingSchedule(0, 60 * S, new long[] {S, 5 * S, 5 * S, 30 * S});

        assertThat(s.dueBy(-1)).isZero();
        assertThat(s.dueBy(S - 1)).isZero();
        assertThat(s.dueBy(S)).isEqualTo(1);
        // Two devices at the same phase fall due together.
        assertThat(s.dueBy(5 * S)).isEqualTo(3);
        assertThat(s.dueBy(59 * S)).isEqualTo(4);
        assertThat(s.dueBy(61 * S)).isEqualTo(5);
        assertThat(s.dueBy(3600 * S)).isEqualTo(240);
    }

    @Test
    void dueByAndDueNanosAgreeForEveryReading() {
        ReadingSchedule s = ReadingSchedule.random(7 * S, Duration.ofSeconds(60), 100, new SplittableRandom(3));

        for (long k = 0; k < 1000; k++) {
            long due = s.dueNanos(k);
            assertThat(s.dueBy(due)).as("reading %d", k).isGreaterThan(k);
            assertThat(s.dueBy(due - 1)).as("reading %d", k).isLessThanOrEqualTo(k);
        }
    }

    @Test
    void everyDeviceReportsOncePerPeriod() {
        ReadingSchedule s = ReadingSchedule.random(0, Duration.ofSeconds(60), 100, new SplittableRandom(11));

        assertThat(s.dueBy(60 * S - 1)).isEqualTo(100);
        assertThat(s.dueBy(10 * 60 * S - 1)).isEqualTo(1000);
        Set<Long> firstPeriod = new HashSet<>();
        for (long k = 0; k < 100; k++) {
            firstPeriod.add(s.dueNanos(k + 100) - s.dueNanos(k));
        }
        assertThat(firstPeriod).containsExactly(60 * S);
    }

    @Test
    void aSmallGatewaySealsBatchesOfOneReadingNowAndThenAFew() {
        // 100 devices, a reading a minute each, 100 ms linger: an hour of the gateway's batches.
        ReadingSchedule s = ReadingSchedule.random(0, Duration.ofSeconds(60), 100, new SplittableRandom(5));
        List<Long> sizes = new ArrayList<>();
        long taken = 0;
        while (true) {
            long at = s.nextSealNanos(taken, 100 * MS);
            if (at >= 3600 * S) {
                break;
            }
            long size = s.dueBy(at) - taken;
            sizes.add(size);
            taken += size;
        }

        assertThat(sizes).allMatch(n -> n >= 1 && n <= 5);
        assertThat(taken).isBetween(5999L, 6000L);
        double mean = (double) taken / sizes.size();
        assertThat(mean).isBetween(1.0, 1.3);
    }

    @Test
    void aPhaseOutsideThePeriodIsRefused() {
        assertThatThrownBy(() -> new ReadingSchedule(0, 60 * S, new long[] {60 * S}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReadingSchedule(0, 60 * S, new long[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
