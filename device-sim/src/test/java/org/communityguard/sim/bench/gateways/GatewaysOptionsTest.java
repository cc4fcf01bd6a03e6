package org.communityguard.sim.bench.gateways;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.communityguard.sim.bench.BenchOptions;
import org.junit.jupiter.api.Test;

class GatewaysOptionsTest {

    private static final Map<String, String> ENV = Map.of(BenchOptions.GATEWAYS_VARIABLE,
            "bench-gw-0001:secret-one-123,bench-gw-0002:secret-two-456");
    private static final String[] REQUIRED = {"--uplink", "tcp://127.0.0.1:1884", "--hub", "http://127.0.0.1:8080",
        "--db-url", "jdbc:postgresql://127.0.0.1:5432/postgres"};

    @Test
    void defaultsAreTheOnesDocumented() throws Exception {
        GatewaysOptions o = GatewaysOptions.parse(REQUIRED, ENV);

        assertThat(o.gateways()).extracting(BenchOptions.Gateway::id).containsExactly("bench-gw-0001", "bench-gw-0002");
        assertThat(o.uplink().getHost()).isEqualTo("127.0.0.1");
        assertThat(o.uplink().getPort()).isEqualTo(1884);
        assertThat(o.readingEvery()).isEqualTo(Duration.ofSeconds(60));
        assertThat(o.linger()).isEqualTo(Duration.ofMillis(100));
        assertThat(o.window()).isEqualTo(16);
        assertThat(o.alarmEvery()).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.warmup()).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.steady()).isEqualTo(Duration.ofSeconds(60));
        assertThat(o.stormTimeout()).isEqualTo(Duration.ofSeconds(180));
        assertThat(o.settle()).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.ioThreads()).isEqualTo(2);
        assertThat(o.dbUser()).isEqualTo("postgres");
    }

    @Test
    void twoThousandGatewaysOfAHundredDevicesAtAReadingAMinuteOffer3333PerSecond() throws Exception {
        StringBuilder pairs = new StringBuilder();
        for (int i = 1; i <= 2000; i++) {
            pairs.append(pairs.length() == 0 ? "" : ",").append(String.format("bench-gw-%04d:secret-%04d-abcdef", i, i));
        }
        GatewaysOptions o = GatewaysOptions.parse(REQUIRED, Map.of(BenchOptions.GATEWAYS_VARIABLE, pairs.toString()));

        assertThat(o.gateways()).hasSize(2000);
        assertThat(o.offeredReadingsPerSecond(100)).isCloseTo(3333.3, org.assertj.core.data.Offset.offset(0.1));
    }

    @Test
    void optionsChangeTheirSetting() throws Exception {
        GatewaysOptions o = GatewaysOptions.parse(concat(REQUIRED, "--reading-every", "30", "--linger", "0",
                "--alarm-every", "0", "--steady", "20", "--seed", "42", "--hub-pid", "1234"), ENV);

        assertThat(o.readingEvery()).isEqualTo(Duration.ofSeconds(30));
        assertThat(o.linger()).isZero();
        assertThat(o.alarmEvery()).isZero();
        assertThat(o.steady()).isEqualTo(Duration.ofSeconds(20));
        assertThat(o.seed()).isEqualTo(42);
        assertThat(o.hubPid()).isEqualTo(1234);
    }

    @Test
    void mistakesNameTheFlag() {
        assertThatThrownBy(() -> GatewaysOptions.parse(new String[] {"--uplink", "tcp://h:1", "--hub", "x"}, ENV))
                .hasMessageContaining("--db-url is required");
        assertThatThrownBy(() -> GatewaysOptions.parse(concat(REQUIRED, "--window", "0"), ENV))
                .hasMessageContaining("--window must be 1 to 65535, not 0");
        assertThatThrownBy(() -> GatewaysOptions.parse(concat(REQUIRED, "--steady", "soon"), ENV))
                .hasMessageContaining("--steady must be a whole number, not 'soon'");
        assertThatThrownBy(() -> GatewaysOptions.parse(concat(REQUIRED, "--colour", "red"), ENV))
                .hasMessageContaining("unknown flag --colour");
        assertThatThrownBy(() -> GatewaysOptions.parse(concat(REQUIRED, "--steady"), ENV))
                .hasMessageContaining("expected --flag value");
        assertThatThrownBy(() -> GatewaysOptions.parse(new String[] {"--uplink", "ssl://h:1", "--hub", "x", "--db-url", "d"},
                ENV)).hasMessageContaining("--uplink must be tcp://HOST:PORT");
        assertThatThrownBy(() -> GatewaysOptions.parse(new String[] {"--uplink", "tcp://h 1", "--hub", "x", "--db-url", "d"},
                ENV)).hasMessageContaining("--uplink must be tcp://HOST:PORT, not 'tcp://h 1'");
        assertThatThrownBy(() -> GatewaysOptions.parse(REQUIRED, Map.of()))
                .hasMessageContaining(BenchOptions.GATEWAYS_VARIABLE);
        assertThatThrownBy(() -> GatewaysOptions.parse(REQUIRED, Map.of(BenchOptions.GATEWAYS_VARIABLE, "no-secret")))
                .hasMessageContaining("is not id:secret");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
