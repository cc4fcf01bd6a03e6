package org.communityguard.sim.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class FaultChainTest {

    /**
     * A kill test with few kills drew no alarm at all once in 4^kills seeds (PostgresKillIT with 5
     * kills, seed 1944173909964, failed its "alarms sent" check): every run must send one.
     */
    @Test
    void everyRunOfAFewFaultsSendsAnAlarm() {
        for (long seed = 0; seed < 20_000; seed++) {
            Random random = new Random(seed);
            boolean any = false;
            for (int fault = 1; fault <= 3; fault++) {
                any |= FaultChain.alarmBefore(fault, random);
                random.nextInt(1800); // the pause drawn between two faults
            }
            assertThat(any).as("an alarm in a run of 3 faults, seed " + seed).isTrue();
        }
    }
}
