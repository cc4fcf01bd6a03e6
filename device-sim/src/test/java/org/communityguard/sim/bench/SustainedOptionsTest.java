package org.communityguard.sim.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** bench.sh sustained's command line: the defaults the docs report, and a wrong line refused with its flag. */
class SustainedOptionsTest {

    private static final Map<String, String> ENV = Map.of(BenchOptions.GATEWAYS_VARIABLE, "gw-1:s1,gw-2:s2");
    private static final String[] REQUIRED = {"--uplink", "tcp://127.0.0.1:1", "--db-url", "jdbc:x", "--hub-http", "http://h"};

    @Test
    void theDefaultsAreAnHourOfFiveMinuteWindowsAt20000PerSecond() throws Exception {
        SustainedBench.Options o = SustainedBench.Options.parse(REQUIRED, ENV);
        assertThat(o.rate()).isEqualTo(20_000);
        assertThat(o.windows()).isEqualTo(12);
        assertThat(o.devices()).isEqualTo(2 * 50 * 100);
        assertThat(o.window()).isEqualTo(16);
        assertThat(o.chunkMinutes()).isEqualTo(10);
    }

    @Test
    void aWindowLongerThanTheRunOrAMissingHubIsRefused() {
        String[] tooLong = {"--uplink", "tcp://127.0.0.1:1", "--db-url", "jdbc:x", "--hub-http", "http://h",
                "--minutes", "1", "--window-seconds", "120"};
        assertThatThrownBy(() -> SustainedBench.Options.parse(tooLong, ENV))
                .isInstanceOf(BenchOptions.UsageException.class).hasMessageContaining("--window-seconds");
        assertThatThrownBy(() -> SustainedBench.Options.parse(new String[] {"--uplink", "u", "--db-url", "d"}, ENV))
                .isInstanceOf(BenchOptions.UsageException.class).hasMessageContaining("--hub-http");
    }
}
