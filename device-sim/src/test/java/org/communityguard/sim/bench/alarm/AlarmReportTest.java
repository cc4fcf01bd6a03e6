package org.communityguard.sim.bench.alarm;

import org.communityguard.sim.bench.HubHistogram;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AlarmReportTest {

    private static final long MS = 1_000_000;

    /** Each alarm answered by the edge in a fifth of its time; the hub's lane: one bucket of 8 ms. */
    private static LevelResult result(Level level, double rps, List<Long> nanos, int lost, int duplicated) {
        AlarmLedger.Tally t = new AlarmLedger.Tally(nanos.size() + lost, nanos.size(), lost, duplicated, nanos,
                nanos.stream().map(n -> n / 5).toList(), List.of());
        HubHistogram.Snapshot lane = HubHistogram.parse(nanos.isEmpty() ? "" : String.format(java.util.Locale.ROOT,
                "hub_ingest_latency_seconds_bucket{lane=\"safety\",le=\"0.008\"} %d%n"
                        + "hub_ingest_latency_seconds_bucket{lane=\"safety\",le=\"+Inf\"} %d%n", nanos.size(), nanos.size()),
                HubHistogram.INGEST_LATENCY, "safety");
        return LevelResult.of(level, rps, t, lane);
    }

    @Test
    void theResultLineHasTheKeysOfEveryLevelThenTheTotals() {
        List<LevelResult> results = List.of(
                result(new Level("10k", 10_000), 9_990.4, List.of(12 * MS, 20 * MS), 0, 0),
                result(new Level("50k", 50_000), 31_000, List.of(30 * MS), 1, 2),
                result(new Level("max", 0), 88_123.6, List.of(), 3, 0));

        assertThat(AlarmReport.resultLine(results, 0, 0, 42)).isEqualTo("RESULT"
                + " alarm_p50_ms_10k=12.0 alarm_p99_ms_10k=20.0 alarm_max_ms_10k=20.0"
                + " alarm_p50_ms_50k=30.0 alarm_p99_ms_50k=30.0 alarm_max_ms_50k=30.0"
                + " alarm_p50_ms_max=n/a alarm_p99_ms_max=n/a alarm_max_ms_max=n/a"
                + " alarm_edge_p99_ms_10k=4.0 hub_safety_lane_p99_ms_10k=8.0"
                + " alarm_edge_p99_ms_50k=6.0 hub_safety_lane_p99_ms_50k=8.0"
                + " alarm_edge_p99_ms_max=n/a hub_safety_lane_p99_ms_max=n/a"
                + " background_rps_10k=9990 background_reached_10k=yes"
                + " background_rps_50k=31000 background_reached_50k=no"
                + " background_rps_max=88124"
                + " alarms_sent=7 alarms_seen=3 alarms_lost=4 alarms_duplicated=2"
                + " fire_events_unexpected=0 background_failures=0 seed=42");
    }

    @Test
    void aLevelShortOfItsOfferSaysSo() {
        assertThat(AlarmReport.levelLine(result(new Level("50k", 50_000), 47_000, List.of(5 * MS), 0, 0)))
                .contains("background 47,000 readings/s stored (offered 50,000/s), NOT REACHED (below 95% of the offer)");
        assertThat(AlarmReport.levelLine(result(new Level("50k", 50_000), 47_600, List.of(5 * MS), 0, 0)))
                .doesNotContain("NOT REACHED");
        assertThat(AlarmReport.levelLine(result(new Level("max", 0), 1, List.of(5 * MS), 0, 0)))
                .contains("as fast as the windows allow").doesNotContain("NOT REACHED");
    }
}
