package org.communityguard.sim.bench.gateways;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HubProbeTest {

    private static final String METRICS = """
            # HELP hub_uplink_connections gateways connected to the uplink
            # TYPE hub_uplink_connections gauge
            hub_uplink_connections 1987.0
            hub_uplink_connections_extra 5.0
            # TYPE hub_uplink_rejections_total counter
            hub_uplink_rejections_total{reason="connect_timeout"} 3.0
            hub_uplink_rejections_total{reason="too_many_connections"} 12.0
            hub_batches_duplicate_total 41.0
            hub_connections_open{server="uplink"} 1990.0
            hub_broken_metric NaNish
            """;

    @Test
    void aMetricIsReadByItsLabelsAndOthersWithALongerNameAreLeftAlone() {
        assertThat(HubProbe.series(METRICS, "hub_uplink_connections")).containsExactly(Map.entry("", 1987.0));
        assertThat(HubProbe.series(METRICS, "hub_uplink_rejections_total")).containsExactly(
                Map.entry("reason=\"connect_timeout\"", 3.0), Map.entry("reason=\"too_many_connections\"", 12.0));
        assertThat(HubProbe.total(METRICS, "hub_uplink_rejections_total")).isEqualTo(15.0);
        assertThat(HubProbe.total(METRICS, "hub_batches_duplicate_total")).isEqualTo(41.0);
    }

    @Test
    void aMissingOrUnreadableMetricIsNothing() {
        assertThat(HubProbe.series(METRICS, "hub_broken_metric")).isEmpty();
        assertThat(HubProbe.total(METRICS, "hub_no_such_metric")).isZero();
        assertThat(HubProbe.total("", "hub_uplink_connections")).isZero();
    }

    @Test
    void memoryIsReadFromTheProcStatusLines() {
        String status = "Name:\tjava\nVmPeak:\t 5000000 kB\nVmHWM:\t  700416 kB\nVmRSS:\t  612352 kB\nThreads:\t61\n";

        assertThat(HubProbe.statusKib(status, "VmRSS")).isEqualTo(612_352);
        assertThat(HubProbe.statusKib(status, "VmHWM")).isEqualTo(700_416);
        assertThat(HubProbe.statusKib(status, "VmSwap")).isEqualTo(-1);
        assertThat(HubProbe.statusKib("VmRSS:\tlots kB\n", "VmRSS")).isEqualTo(-1);
    }
}
