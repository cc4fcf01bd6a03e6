package org.communityguard.sim.bench.alarm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HubLaneTest {

    private static final String BEFORE = """
            # TYPE hub_ingest_latency_seconds histogram
            hub_ingest_latency_seconds_bucket{lane="routine",le="0.001"} 500.0
            hub_ingest_latency_seconds_bucket{lane="safety",le="0.001"} 1.0
            hub_ingest_latency_seconds_bucket{lane="safety",le="0.005"} 2.0
            hub_ingest_latency_seconds_bucket{lane="safety",le="0.05"} 2.0
            hub_ingest_latency_seconds_bucket{lane="safety",le="+Inf"} 2.0
            hub_ingest_latency_seconds_count{lane="safety"} 2.0
            """;

    private static final String AFTER = """
            hub_ingest_latency_seconds_bucket{lane="routine",le="0.001"} 900.0
            hub_ingest_latency_seconds_bucket{lane="safety",le="0.001"} 1.0
            hub_ingest_latency_seconds_bucket{lane="safety",le="0.005"} 90.0
            hub_ingest_latency_seconds_bucket{lane="safety",le="0.05"} 101.0
            hub_ingest_latency_seconds_bucket{lane="safety",le="+Inf"} 102.0
            """;

    @Test
    void aLevelsShareIsTheSafetyLanesGrowthReadAsBucketBounds() {
        HubLane.Snapshot level = HubLane.parse(AFTER).since(HubLane.parse(BEFORE));

        assertThat(level.count()).as("the routine lane is not counted").isEqualTo(100);
        assertThat(level.percentileBoundMs(50)).isEqualTo(5.0);
        assertThat(level.percentileBoundMs(88)).isEqualTo(5.0);
        assertThat(level.percentileBoundMs(89)).isEqualTo(50.0);
        assertThat(level.percentileBoundMs(100)).isInfinite();
    }

    @Test
    void noBatchOnTheLaneIsNoFigure() {
        assertThat(HubLane.parse(BEFORE).since(HubLane.parse(BEFORE)).percentileBoundMs(99)).isNaN();
        assertThat(HubLane.parse("").percentileBoundMs(50)).isNaN();
    }
}
