package org.communityguard.sim.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    private static final Map<String, String> ENV = Map.of(BenchOptions.GATEWAYS_VARIABLE,
            "bench-gw-001:secret-one-123,bench-gw-002:secret-two-456");

    @Test
    void defaultsAreTheOnesDocumented() throws Exception {
        BenchOptions o = BenchOptions.parse(new String[] {"--uplink", "tcp://127.0.0.1:1884",
                "--db-url", "jdbc:postgresql://127.0.0.1:5432/postgres"}, ENV);

        assertThat(o.gateways()).containsExactly(new BenchOptions.Gateway("bench-gw-001", "secret-one-123"),
                new BenchOptions.Gateway("bench-gw-002", "secret-two-456"));
        assertThat(o.batchReadings()).isEqualTo(500);
        assertThat(o.window()).isEqualTo(2);
        assertThat(o.rounds()).isEqualTo(5);
        assertThat(o.warmup()).isEqualTo(Duration.ofSeconds(20));
        assertThat(o.duration()).isEqualTo(Duration.ofSeconds(15));
        assertThat(o.copyDuration()).isEqualTo(o.duration());
        assertThat(o.copyConnections()).isEqualTo(2);
        assertThat(o.commitRows()).isEqualTo(20_000);
    }

    @Test
    void theLoadCurveIsPercentagesOfTheHubsRateOrNone() throws Exception {
        assertThat(BenchOptions.parse(new String[] {"--uplink", "u", "--db-url", "d"}, ENV).curve())
                .containsExactly(10, 25, 50, 75, 100);
        assertThat(BenchOptions.parse(new String[] {"--uplink", "u", "--db-url", "d", "--curve", "50, 90"}, ENV).curve())
                .containsExactly(50, 90);
        assertThat(BenchOptions.parse(new String[] {"--uplink", "u", "--db-url", "d", "--curve", "none"}, ENV).curve())
                .isEmpty();
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--uplink", "u", "--db-url", "d", "--curve", "50,120"},
                ENV)).hasMessageContaining("--curve steps are percentages from 1 to 100, not 120");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--uplink", "u", "--db-url", "d", "--curve", "half"},
                ENV)).hasMessageContaining("--curve must be percentages");
    }

    @Test
    void copyDurationFollowsTheHubsUnlessGiven() throws Exception {
        BenchOptions o = BenchOptions.parse(new String[] {"--uplink", "u", "--db-url", "d", "--duration", "7"}, ENV);
        BenchOptions p = BenchOptions.parse(new String[] {"--uplink", "u", "--db-url", "d", "--duration", "7",
                "--copy-duration", "9"}, ENV);

        assertThat(o.copyDuration()).isEqualTo(Duration.ofSeconds(7));
        assertThat(p.copyDuration()).isEqualTo(Duration.ofSeconds(9));
    }

    @Test
    void mistakesNameTheFlag() {
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--uplink", "u"}, ENV))
                .hasMessageContaining("--db-url");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--uplink", "u", "--db-url", "d", "--batch", "9000"}, ENV))
                .hasMessageContaining("--batch must be 1 to 5000");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--uplink", "u", "--db-url", "d", "--colour", "red"}, ENV))
                .hasMessageContaining("unknown flag --colour");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--uplink", "u", "--db-url", "d"}, Map.of()))
                .hasMessageContaining(BenchOptions.GATEWAYS_VARIABLE);
    }
}
