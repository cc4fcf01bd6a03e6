package org.communityguard.sim.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HubHistogramTest {

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
        HubHistogram.Snapshot level = safety(AFTER).since(safety(BEFORE));

        assertThat(level.count()).as("the routine lane is not counted").isEqualTo(100);
        assertThat(level.percentileBoundMs(50)).isEqualTo(5.0);
        assertThat(level.percentileBoundMs(88)).isEqualTo(5.0);
        assertThat(level.percentileBoundMs(89)).isEqualTo(50.0);
        assertThat(level.percentileBoundMs(100)).isInfinite();
    }

    @Test
    void noBatchOnTheLaneIsNoFigure() {
        assertThat(safety(BEFORE).since(safety(BEFORE)).percentileBoundMs(99)).isNaN();
        assertThat(safety("").percentileBoundMs(50)).isNaN();
    }

    @Test
    void aHistogramWithoutLanesIsReadWhole() {
        String exposition = """
                hub_ingest_commit_seconds_bucket{le="0.01"} 7.0
                hub_ingest_commit_seconds_bucket{le="0.1"} 10.0
                hub_ingest_commit_seconds_bucket{le="+Inf"} 10.0
                hub_ingest_commit_seconds_count 10.0
                hub_ingest_latency_seconds_bucket{lane="routine",le="0.001"} 500.0
                """;
        HubHistogram.Snapshot commits = HubHistogram.parse(exposition, HubHistogram.INGEST_COMMIT, null);

        assertThat(commits.count()).isEqualTo(10);
        assertThat(commits.percentileBoundMs(70)).isEqualTo(10.0);
        assertThat(commits.percentileBoundMs(71)).isEqualTo(100.0);
        assertThat(HubHistogram.parse(exposition, HubHistogram.INGEST_LATENCY, "routine").count()).isEqualTo(500);
    }

    private static HubHistogram.Snapshot safety(String exposition) {
        return HubHistogram.parse(exposition, HubHistogram.INGEST_LATENCY, "safety");
    }
}
