package org.communityguard.sim.bench.gateways;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StallMeterTest {

    @Test
    void theLongestGapBetweenAcknowledgementsCountsFromTheStart() {
        StallMeter m = new StallMeter();
        m.start(1_000);
        m.acknowledged(4_000);
        m.acknowledged(4_500);
        m.acknowledged(9_500);
        m.acknowledged(10_000);

        StallMeter.Stall stall = m.end(10_200);

        assertThat(stall.longestNanos()).isEqualTo(5_000);
        assertThat(stall.beganAfterNanos()).isEqualTo(3_500);
    }

    @Test
    void theGapFromTheDropToTheFirstAcknowledgementIsAStall() {
        StallMeter m = new StallMeter();
        m.start(0);
        m.acknowledged(7_000);
        m.acknowledged(7_100);

        assertThat(m.end(8_000)).isEqualTo(new StallMeter.Stall(7_000, 0));
    }

    @Test
    void nothingAcknowledgedStallsUntilTheEnd() {
        StallMeter m = new StallMeter();
        m.start(100);

        assertThat(m.end(60_100)).isEqualTo(new StallMeter.Stall(60_000, 0));
    }

    @Test
    void anAcknowledgementTimedJustBeforeTheLastCountedIsNoGap() {
        StallMeter m = new StallMeter();
        m.start(0);
        m.acknowledged(2_000);
        // Timed on another event loop a moment before the one above, counted after it.
        m.acknowledged(1_990);
        m.acknowledged(3_000);

        assertThat(m.end(3_000).longestNanos()).isEqualTo(2_000);
    }

    @Test
    void acknowledgementsOutsideASpanAreIgnored() {
        StallMeter m = new StallMeter();
        m.acknowledged(5);
        m.start(10);
        m.acknowledged(20);
        m.end(30);
        m.acknowledged(1_000_000);
        m.start(2_000_000);

        assertThat(m.end(2_000_050)).isEqualTo(new StallMeter.Stall(50, 0));
    }
}
