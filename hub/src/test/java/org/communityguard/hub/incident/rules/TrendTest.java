package org.communityguard.hub.incident.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TrendTest {

    private static final long MIN = 60_000;

    @Test
    void leastSquaresSlopePerMinute() {
        Trend t = new Trend(16);
        // 200, 190, 180, 170 cm at one-minute steps, with +-1 cm of noise: about -10 cm/min.
        t.add(0, 200.5, 30 * MIN);
        t.add(MIN, 189.5, 30 * MIN);
        t.add(2 * MIN, 180.5, 30 * MIN);
        t.add(3 * MIN, 169.5, 30 * MIN);

        assertThat(t.slopePerMinute(3)).isCloseTo(-10.2, within(0.01));
        assertThat(t.spanMinutes()).isEqualTo(3.0);
    }

    @Test
    void tooFewSamplesHaveNoSlope() {
        Trend t = new Trend(16);
        t.add(0, 1, MIN);
        t.add(1000, 2, MIN);

        assertThat(t.slopePerMinute(3)).isNaN();
    }

    @Test
    void forgetsSamplesOutsideTheWindowAndBeyondCapacity() {
        Trend t = new Trend(4);
        for (int i = 0; i < 10; i++) {
            t.add(i * MIN, i, 30 * MIN);
        }
        assertThat(t.size()).isEqualTo(4);
        assertThat(t.value(0)).isEqualTo(6.0);

        t.add(60 * MIN, 99, 5 * MIN);
        assertThat(t.size()).as("the older ones are more than 5 minutes old").isEqualTo(1);
    }

    @Test
    void ignoresSamplesNotNewerThanTheNewest() {
        Trend t = new Trend(4);
        assertThat(t.add(MIN, 1, 10 * MIN)).isTrue();
        assertThat(t.add(MIN, 2, 10 * MIN)).isFalse();
        assertThat(t.add(0, 3, 10 * MIN)).isFalse();
        assertThat(t.size()).isEqualTo(1);
    }

    @Test
    void findsAReferenceSampleOfTheRightAge() {
        Trend t = new Trend(8);
        t.add(0, 20, 10 * MIN);
        t.add(30_000, 21, 10 * MIN);
        t.add(50_000, 22, 10 * MIN);
        t.add(100_000, 40, 10 * MIN);

        int ref = t.reference(MIN, 10 * MIN);
        assertThat(t.time(ref)).as("the newest sample at least a minute older").isEqualTo(30_000);
        assertThat(t.reference(5 * MIN, 10 * MIN)).isEqualTo(-1);
    }
}
