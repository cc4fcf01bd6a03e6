package org.communityguard.hub.incident.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.communityguard.hub.incident.rules.Latch.Change;
import org.junit.jupiter.api.Test;

class LatchTest {

    /** Leakage-style: raise at 30 or more, clear under 15. */
    private static Change feed(Latch l, double value, int needed) {
        return l.update(value >= 30, value < 15, needed);
    }

    @Test
    void raisesOnlyAfterTheNeededConsecutiveReadings() {
        Latch l = new Latch();

        assertThat(feed(l, 31, 3)).isEqualTo(Change.NONE);
        assertThat(feed(l, 32, 3)).isEqualTo(Change.NONE);
        assertThat(feed(l, 20, 3)).as("one reading under the threshold restarts the count").isEqualTo(Change.NONE);
        assertThat(feed(l, 31, 3)).isEqualTo(Change.NONE);
        assertThat(feed(l, 31, 3)).isEqualTo(Change.NONE);
        assertThat(feed(l, 31, 3)).isEqualTo(Change.RAISED);
        assertThat(l.raised()).isTrue();
    }

    @Test
    void clearsOnlyOnTheSafeSideOfTheClearThreshold() {
        Latch l = new Latch();
        feed(l, 40, 1);

        assertThat(feed(l, 29, 1)).as("under the raise threshold is not yet normal").isEqualTo(Change.NONE);
        assertThat(feed(l, 16, 1)).isEqualTo(Change.NONE);
        assertThat(l.raised()).isTrue();
        assertThat(feed(l, 14, 1)).isEqualTo(Change.CLEARED);
        assertThat(l.raised()).isFalse();
    }

    @Test
    void aNoisySensorAroundItsThresholdRaisesOnce() {
        Latch l = new Latch();
        Random noise = new Random(42);
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            // 30 mA +- 8 mA: crosses the raise threshold every few readings, never reaches the clear one.
            Change c = feed(l, 30 + (noise.nextDouble() * 16 - 8), 2);
            if (c != Change.NONE) {
                changes.add(c);
            }
        }

        assertThat(changes).containsExactly(Change.RAISED);
    }

    @Test
    void withoutABandEachCrossingWouldCount() {
        // The same noise against raise = clear = 30 flaps: this is what the band prevents.
        Latch l = new Latch();
        Random noise = new Random(42);
        int raised = 0;
        for (int i = 0; i < 1000; i++) {
            double v = 30 + (noise.nextDouble() * 16 - 8);
            if (l.update(v >= 30, v < 30, 2) == Change.RAISED) {
                raised++;
            }
        }

        assertThat(raised).isGreaterThan(50);
    }

    @Test
    void aCopyIsIndependent() {
        Latch l = new Latch();
        feed(l, 31, 2);
        Latch copy = l.copy();

        assertThat(feed(l, 31, 2)).isEqualTo(Change.RAISED);
        assertThat(copy.raised()).isFalse();
        assertThat(feed(copy, 31, 2)).as("the copy kept the streak").isEqualTo(Change.RAISED);
    }
}
