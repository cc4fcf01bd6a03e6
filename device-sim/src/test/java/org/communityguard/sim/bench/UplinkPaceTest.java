package org.communityguard.sim.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UplinkPaceTest {

    private static final long S = 1_000_000_000L;

    @Test
    void eachGatewayOffersItsShareOnAFixedScheduleOffsetByItsIndex() {
        // 10,000 readings/s over 20 gateways in batches of 500: one batch a second each.
        assertThat(UplinkLoad.dueNanos(7, 10_000, 20, 0, 500, 0)).isEqualTo(7);
        assertThat(UplinkLoad.dueNanos(7, 10_000, 20, 0, 500, 3)).isEqualTo(7 + 3 * S);
        assertThat(UplinkLoad.dueNanos(7, 10_000, 20, 10, 500, 3)).isEqualTo(7 + 3 * S + S / 2);
    }

    @Test
    void theBatchesDueInAnySecondAddUpToTheOfferedRate() {
        int due = 0;
        for (int gateway = 0; gateway < 20; gateway++) {
            for (long batch = 0; batch < 100; batch++) {
                long at = UplinkLoad.dueNanos(0, 50_000, 20, gateway, 500, batch);
                if (at >= 10 * S && at < 11 * S) {
                    due++;
                }
            }
        }
        assertThat(due * 500).isEqualTo(50_000);
    }

    @Test
    void anOpenLoopBatchWaitsFromWhenItWasDueAndAClosedLoopOneFromItsPublish() {
        // Due at 1 s, published at 3 s because the window was full until then: the 2 s count.
        assertThat(UplinkLoad.latencyStart(10_000, 1 * S, 3 * S)).isEqualTo(1 * S);
        assertThat(UplinkLoad.latencyStart(0, 0, 3 * S)).isEqualTo(3 * S);
    }
}

