package org.communityguard.edge.device;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeqWindowTest {

    private static final long MAX = 4_294_967_295L;

    private final SeqWindow window = new SeqWindow();

    @Test
    void emptyWindowHasSeenNothing() {
        assertThat(window.contains(0)).isFalse();
        assertThat(window.contains(MAX)).isFalse();
    }

    @Test
    void aNumberAddedIsSeenAndItsNeighboursAreNot() {
        window.add(42);
        assertThat(window.contains(42)).isTrue();
        assertThat(window.contains(41)).isFalse();
        assertThat(window.contains(43)).isFalse();
    }

    @Test
    void lateArrivalsInsideTheWindowAreTrackedOneByOne() {
        window.add(100);
        window.add(98);
        window.add(101);
        assertThat(window.contains(98)).isTrue();
        assertThat(window.contains(99)).isFalse();
        assertThat(window.contains(100)).isTrue();
        assertThat(window.contains(101)).isTrue();
        window.add(99);
        assertThat(window.contains(99)).isTrue();
    }

    @Test
    void windowHoldsTheLastSize() {
        long last = SeqWindow.SIZE + 99;
        for (long seq = 0; seq <= last; seq++) {
            window.add(seq);
        }
        assertThat(window.contains(last)).isTrue();
        assertThat(window.contains(last - (SeqWindow.SIZE - 1))).isTrue();
        // SIZE behind the top: outside the window, no longer called a duplicate.
        assertThat(window.contains(last - SeqWindow.SIZE)).isFalse();
    }

    @Test
    void aJumpAheadForgetsWhatFellOutOfTheWindow() {
        window.add(10);
        window.add(10 + SeqWindow.SIZE);
        assertThat(window.contains(10)).isFalse();
        assertThat(window.contains(10 + SeqWindow.SIZE)).isTrue();
        window.add(1_000_000);
        assertThat(window.contains(10 + SeqWindow.SIZE)).isFalse();
        assertThat(window.contains(1_000_000)).isTrue();
    }

    @Test
    void wrapsAt2To32() {
        window.add(MAX - 1);
        window.add(MAX);
        window.add(0);
        window.add(1);
        assertThat(window.contains(MAX - 1)).isTrue();
        assertThat(window.contains(MAX)).isTrue();
        assertThat(window.contains(0)).isTrue();
        assertThat(window.contains(1)).isTrue();
        assertThat(window.contains(2)).isFalse();
        assertThat(window.contains(MAX - 2)).isFalse();
    }

    @Test
    void lateArrivalFromBeforeTheWrapIsTracked() {
        window.add(MAX - 2);
        window.add(3);
        assertThat(window.contains(MAX)).isFalse();
        window.add(MAX);
        assertThat(window.contains(MAX)).isTrue();
        assertThat(window.contains(3)).isTrue();
    }

    @Test
    void aDeviceThatRestartsItsCounterIsNotTakenForDuplicates() {
        for (long seq = 5000; seq < 5010; seq++) {
            window.add(seq);
        }
        assertThat(window.contains(0)).isFalse();
        window.add(0);
        window.add(1);
        assertThat(window.contains(0)).isTrue();
        assertThat(window.contains(1)).isTrue();
        // The old numbers are forgotten, so the device's next 5000 readings are not refused.
        assertThat(window.contains(5005)).isFalse();
    }
}
