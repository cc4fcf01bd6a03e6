package org.communityguard.sim.bench.alarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyTest {

    @Test
    void nearestRankPicksAValueAnAlarmActuallyTook() {
        long[] sorted = {10, 20, 30, 40};
        assertThat(Latency.percentile(sorted, 50)).isEqualTo(20);
        assertThat(Latency.percentile(sorted, 99)).isEqualTo(40);
        assertThat(Latency.percentile(sorted, 0)).isEqualTo(10);
        assertThat(Latency.percentile(new long[] {7}, 99)).isEqualTo(7);
    }

    @Test
    void twoHundredAlarmsP99IsTheSecondSlowest() {
        List<Long> nanos = new ArrayList<>();
        for (long ms = 1; ms <= 200; ms++) {
            nanos.add(ms * 1_000_000);
        }
        Collections.shuffle(nanos);
        Latency l = Latency.of(nanos);
        assertThat(l.count()).isEqualTo(200);
        assertThat(l.p50Ms()).isEqualTo(100.0);
        assertThat(l.p99Ms()).isEqualTo(198.0);
        assertThat(l.maxMs()).isEqualTo(200.0);
    }

    @Test
    void noAlarmSeenHasNoFigures() {
        Latency l = Latency.of(List.of());
        assertThat(l.count()).isZero();
        assertThat(l.p50Ms()).isNaN();
        assertThatThrownBy(() -> Latency.percentile(new long[0], 50)).isInstanceOf(IllegalArgumentException.class);
    }
}
