package org.communityguard.sim.bench.gateways;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class GatewaysReportTest {

    @Test
    void theResultLineHasTheAgreedKeysAndRounding() {
        GatewaysReport.Outcome o = new GatewaysReport.Outcome(2000, 3333.33, 2000, 41.26, 3329.6, 12.04, 87.96, 612,
                655, 2000, 52.34, 7.06, 8123.4, 0, 0);

        assertThat(GatewaysReport.resultLine(o)).isEqualTo("RESULT gateways=2000 offered_rps=3333 connections_held=2000"
                + " connect_all_s=41.3 readings_per_s=3330 ack_p50_ms=12.0 ack_p99_ms=88.0 hub_rss_mb=612"
                + " hub_rss_peak_mb=655 storm_returned=2000 storm_all_back_s=52.3 storm_max_stall_s=7.1"
                + " storm_api_slowest_ms=8123 readings_lost=0 readings_duplicated=0");
    }

    @Test
    void whatWasNotMeasuredIsNotApplicable() {
        GatewaysReport.Outcome o = new GatewaysReport.Outcome(2000, 3333.33, 1008, Double.NaN, 1700, Double.NaN,
                Double.NaN, -1, -1, 1500, Double.NaN, 180, Double.NaN, 3, 1);

        assertThat(GatewaysReport.resultLine(o)).contains(" connect_all_s=n/a ", " ack_p50_ms=n/a ", " hub_rss_mb=n/a ",
                " storm_returned=1500 storm_all_back_s=n/a storm_max_stall_s=180.0 storm_api_slowest_ms=n/a",
                " readings_lost=3 readings_duplicated=1");
    }

    @Test
    void percentilesComeFromTheHistogramInMillisecondsAndAreNotApplicableWhenEmpty() {
        Histogram micros = new Histogram(60_000_000L, 3);
        for (int i = 1; i <= 100; i++) {
            micros.recordValue(i * 1000L);
        }

        // The histogram keeps 3 significant digits: a value is reported to within 0.1%.
        assertThat(GatewaysReport.percentileMs(micros, 50)).isCloseTo(50.0, within(0.05));
        assertThat(GatewaysReport.percentileMs(micros, 99)).isCloseTo(99.0, within(0.1));
        assertThat(GatewaysReport.percentileMs(new Histogram(60_000_000L, 3), 99)).isNaN();
    }

    @Test
    void secondsUntilSomethingThatDidNotHappenAreNotApplicable() {
        assertThat(GatewaysReport.secondsUntil(1_000_000_000L, 3_500_000_000L)).isEqualTo(2.5);
        assertThat(GatewaysReport.secondsUntil(1_000_000_000L, 0)).isNaN();
    }

    @Test
    void eventsThatGrewAreListedByName() {
        Map<String, Long> grown = GatewaysReport.grown(Map.of("connect attempts", 2000L, "CONNACK 0x86", 1L),
                Map.of("connect attempts", 4100L, "CONNACK 0x86", 1L, "closed before CONNACK", 992L));

        assertThat(grown).containsExactly(Map.entry("closed before CONNACK", 992L), Map.entry("connect attempts", 2100L));
        assertThat(GatewaysReport.events(grown)).isEqualTo("closed before CONNACK 992, connect attempts 2,100");
        assertThat(GatewaysReport.events(Map.of())).isEqualTo("none");
    }
}
