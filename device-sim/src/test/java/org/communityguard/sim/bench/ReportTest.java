package org.communityguard.sim.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {

    @Test
    void theResultLineHasTheAgreedFieldsAndRounding() {
        assertThat(Report.resultLine(61_903.4, 87_032.6, 633.94, 1130.46))
                .isEqualTo("RESULT ingest_ratio=0.71 hub_rps=61903 copy_rps=87033 ack_p50_ms=633.9 ack_p99_ms=1130.5");
    }

    @Test
    void theLoadCurveAddsThreeKeysPerStepAndTheHubsPartWhenRead() {
        assertThat(Report.curveKeys(List.of(new IngestBench.CurvePoint(25, 15_000, 14_990.6, 600, 8.04, 21.96, 40, Double.NaN, Double.NaN),
                new IngestBench.CurvePoint(100, 60_000, 52_000, 2000, 300, 900.04, 1000, Double.NaN, Double.NaN))))
                .isEqualTo(" curve_rps_25=14991 curve_ack_p50_ms_25=8.0 curve_ack_p99_ms_25=22.0"
                        + " curve_rps_100=52000 curve_ack_p50_ms_100=300.0 curve_ack_p99_ms_100=900.0");
        assertThat(Report.curveKeys(List.of(new IngestBench.CurvePoint(50, 30_000, 30_000, 900, 12, 60.2, 80, 50, 25))))
                .isEqualTo(" curve_rps_50=30000 curve_ack_p50_ms_50=12.0 curve_ack_p99_ms_50=60.2"
                        + " curve_hub_p99_ms_50=50 curve_commit_p99_ms_50=25");
        assertThat(Report.curveKeys(List.of())).isEmpty();
    }

    @Test
    void medianOfAnOddAndAnEvenNumberOfRounds() {
        assertThat(IngestBench.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
        assertThat(IngestBench.median(List.of(4.0, 1.0, 2.0, 3.0))).isEqualTo(2.5);
    }

    @Test
    void aServerThatDoesNotFlushToDiskIsRefused() {
        Map<String, String> durable = Map.of("fsync", "on", "synchronous_commit", "on", "full_page_writes", "on",
                "timescaledb", "2.19.3", "hypertable", "true");
        Map<String, String> testServer = Map.of("fsync", "off", "synchronous_commit", "off", "full_page_writes", "on",
                "timescaledb", "2.19.3", "hypertable", "true");

        assertThat(IngestBench.unusable(durable)).isEmpty();
        assertThat(IngestBench.unusable(testServer)).containsExactly("fsync is off, not on", "synchronous_commit is off, not on");
    }
}
