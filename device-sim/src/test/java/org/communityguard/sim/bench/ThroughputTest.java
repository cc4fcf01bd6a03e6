package org.communityguard.sim.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ThroughputTest {

    private static final long MS = 1_000_000L;

    @Test
    void aSteadyCounterGivesItsExactRate() {
        long[] nanos = new long[101];
        long[] counts = new long[101];
        for (int i = 0; i <= 100; i++) {
            nanos[i] = i * 100 * MS;
            counts[i] = 1_000 + i * 5_000L;   // 50,000 per second
        }

        Throughput.Rate rate = Throughput.rate(nanos, counts);

        assertThat(rate.perSecond()).isCloseTo(50_000, within(1e-6));
        assertThat(rate.count()).isEqualTo(500_000);
        assertThat(rate.seconds()).isCloseTo(10.0, within(1e-9));
        assertThat(rate.slices()).hasSize(2).allSatisfy(s -> assertThat(s).isCloseTo(50_000, within(1e-6)));
    }

    @Test
    void stepsOfWholeCommitsStillGiveTheUnderlyingRate() {
        // 20,000 rows committed every 0.5 s (40,000/s), sampled every 100 ms for 10.05 s: a
        // plain difference of the ends says 400,000 / 10 s, or 420,000 depending on the phase.
        int n = 101;
        long[] nanos = new long[n];
        long[] counts = new long[n];
        for (int i = 0; i < n; i++) {
            nanos[i] = i * 100 * MS + 50 * MS;
            counts[i] = 20_000L * ((nanos[i] / MS) / 500);
        }

        Throughput.Rate rate = Throughput.rate(nanos, counts);

        assertThat(rate.perSecond()).isCloseTo(40_000, within(800.0));
    }
}
