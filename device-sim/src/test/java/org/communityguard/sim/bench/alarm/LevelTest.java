package org.communityguard.sim.bench.alarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LevelTest {

    @Test
    void levelsAreKeyedInThousands() {
        assertThat(Level.parse("10000,50000,max")).containsExactly(
                new Level("10k", 10_000), new Level("50k", 50_000), new Level("max", 0));
        assertThat(Level.parse("1500")).containsExactly(new Level("1500", 1500));
    }

    @Test
    void badLevelsAreRefused() {
        assertThatThrownBy(() -> Level.parse("fast")).hasMessageContaining("'fast'");
        assertThatThrownBy(() -> Level.parse("0")).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> Level.parse("max,max")).hasMessageContaining("twice");
    }
}
