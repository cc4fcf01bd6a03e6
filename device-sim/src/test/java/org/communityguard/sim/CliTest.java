package org.communityguard.sim;

import org.communityguard.sim.link.Payloads;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CliTest {

    private static final String[] REQUIRED = {
            "--site", "../deploy/demo/site.yaml", "--mqtt", "tcp://127.0.0.1:1883", "--coap", "coap://127.0.0.1:5683"};

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void parsesTheDemoCommandLine() throws Exception {
        CliOptions options = CliOptions.parse(with("--interval", "8s", "--fire-at", "20s", "--fire-building", "B1",
                "--duration", "2m", "--stage", "1500ms:cover:manhole-b2-01", "--seed", "42",
                "--devices", "lamp-b1-01,door-b1-01", "--time-of-day", "22:30", "--summary-every", "1h"));

        assertThat(options.site()).isEqualTo(Path.of("../deploy/demo/site.yaml"));
        assertThat(options.mqtt()).isEqualTo("tcp://127.0.0.1:1883");
        assertThat(options.coap()).hasToString("coap://127.0.0.1:5683");
        assertThat(options.interval()).isEqualTo(Duration.ofSeconds(8));
        assertThat(options.duration()).isEqualTo(Duration.ofMinutes(2));
        assertThat(options.stages()).containsExactly(
                new CliOptions.Stage(Duration.ofSeconds(20), CliScenario.FIRE, "B1"),
                new CliOptions.Stage(Duration.ofMillis(1500), CliScenario.COVER, "manhole-b2-01"));
        assertThat(options.seed()).isEqualTo(42);
        assertThat(options.devices()).containsExactlyInAnyOrder("lamp-b1-01", "door-b1-01");
        assertThat(options.timeOfDay()).isEqualTo(LocalTime.of(22, 30));
        assertThat(options.summaryEvery()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void defaultsRunForeverEveryFiveSeconds() throws Exception {
        CliOptions options = CliOptions.parse(REQUIRED);
        assertThat(options.interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(options.duration()).isNull();
        assertThat(options.stages()).isEmpty();
        assertThat(options.devices()).isEmpty();
        assertThat(CliOptions.parse(with("--interval", "7")).interval()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void badCommandLinesSayWhatIsWrong() {
        assertThatThrownBy(() -> CliOptions.parse()).hasMessage("--site is required");
        assertThatThrownBy(() -> CliOptions.parse(with("--bogus", "1"))).hasMessage("unknown option --bogus");
        assertThatThrownBy(() -> CliOptions.parse(with("stray"))).hasMessage("unexpected argument 'stray'");
        assertThatThrownBy(() -> CliOptions.parse(with("--interval"))).hasMessage("--interval needs a value");
        assertThatThrownBy(() -> CliOptions.parse(with("--interval", "soon"))).hasMessageContaining("is not a duration");
        assertThatThrownBy(() -> CliOptions.parse(with("--interval", "0s"))).hasMessage("--interval must be more than zero");
        assertThatThrownBy(() -> CliOptions.parse(with("--fire-at", "20s"))).hasMessage("--fire-at and --fire-building go together");
        assertThatThrownBy(() -> CliOptions.parse(with("--stage", "20s:flood"))).hasMessageContaining("WHEN:SCENARIO:TARGET");
        assertThatThrownBy(() -> CliOptions.parse(with("--stage", "20s:meteor:B1"))).hasMessageContaining("unknown scenario 'meteor'");
        assertThatThrownBy(() -> CliOptions.parse("--site", "x", "--mqtt", "http://x", "--coap", "coap://x"))
                .hasMessageContaining("--mqtt");
        assertThatThrownBy(() -> CliOptions.parse("--site", "x", "--mqtt", "tcp://x", "--coap", "udp://x"))
                .hasMessageContaining("--coap");
        assertThatThrownBy(() -> CliOptions.parse(with("--keys", "devices.keys")))
                .hasMessage("--keys goes with --coaps: the CoAP devices with a key speak DTLS");
        assertThatThrownBy(() -> CliOptions.parse(with("--keys", "k", "--coaps", "coap://x:5684"))).hasMessageContaining("--coaps");
    }

    @Test
    void devicesWithAKeySpeakDtlsAndLogInWithTheirAccount() throws Exception {
        CliOptions options = CliOptions.parse(with("--keys", "/etc/devices.keys", "--coaps", "coaps://127.0.0.1:5684"));
        assertThat(options.keys()).hasToString("/etc/devices.keys");
        assertThat(options.coaps()).hasToString("coaps://127.0.0.1:5684");
    }

    @Test
    void usageErrorsExitWith2AndPrintTheUsage() throws Exception {
        int status = DeviceSim.run(new String[] {"--site"}, print(out), print(err));

        assertThat(status).isEqualTo(2);
        assertThat(text(err)).startsWith("device-sim: --site needs a value").contains("Usage: java -jar device-sim.jar")
                .contains("--fire-at", "--fire-building", "--stage", "--interval", "--duration", "test-button");
    }

    @Test
    void helpPrintsTheUsageAndExitsWith0() throws Exception {
        assertThat(DeviceSim.run(new String[] {"--help"}, print(out), print(err))).isZero();
        assertThat(text(out)).contains("Usage:");
    }

    @Test
    void aBadSiteFileExitsWith1NamingTheEntry() throws Exception {
        int status = DeviceSim.run(new String[] {"--site", "src/test/resources/sites/bad-ids.yaml",
                "--mqtt", "tcp://127.0.0.1:1883", "--coap", "coap://127.0.0.1:5683"}, print(out), print(err));

        assertThat(status).isEqualTo(1);
        assertThat(text(err)).contains("devices[3] (fridge-1): unknown type 'fridge'");
    }

    @Test
    void scenarioTargetsAreCheckedBeforeAnythingStarts() throws Exception {
        int status = DeviceSim.run(with("--fire-at", "1s", "--fire-building", "B7",
                "--stage", "5s:cover:lamp-b1-01"), print(out), print(err));

        assertThat(status).isEqualTo(2);
        assertThat(text(err)).contains("fire: building 'B7' has no simulated smoke detector")
                .contains("cover: lamp-b1-01 is a lamp_post, expected a manhole");
    }

    @Test
    void runsForItsDurationAndStagesTheFire() throws Exception {
        List<String> posts = new CopyOnWriteArrayList<>();
        Configuration config = new Configuration(CoapConfig.DEFINITIONS, UdpConfig.DEFINITIONS);
        CoapServer gateway = new CoapServer(config);
        gateway.addEndpoint(new CoapEndpoint.Builder().setConfiguration(config)
                .setInetSocketAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).build());
        gateway.add(new CoapResource("telemetry") {
            @Override
            public Resource getChild(String name) {
                return this;
            }

            @Override
            public void handlePOST(CoapExchange exchange) {
                List<String> path = exchange.getRequestOptions().getUriPath();
                try {
                    double smoke = Payloads.read(exchange.getRequestPayload(), false).path("data")
                            .path("smoke_obscuration_pct_m").asDouble();
                    posts.add(path.get(1) + " " + smoke);
                } catch (java.io.IOException e) {
                    posts.add(path.get(1) + " NaN");
                }
                exchange.respond(ResponseCode.CHANGED);
            }
        });
        gateway.start();
        try {
            int port = gateway.getEndpoints().get(0).getAddress().getPort();
            int status = DeviceSim.run(new String[] {"--site", "../deploy/demo/site.yaml",
                    "--mqtt", "tcp://127.0.0.1:1", "--coap", "coap://127.0.0.1:" + port,
                    "--devices", "smoke-b1-01,smoke-b2-01", "--interval", "300ms", "--duration", "2s",
                    "--fire-at", "100ms", "--fire-building", "B1"}, print(out), print(err));

            assertThat(status).isZero();
            assertThat(text(err)).isEmpty();
            Set<String> senders = Set.copyOf(posts.stream().map(p -> p.split(" ")[0]).toList());
            assertThat(senders).containsExactlyInAnyOrder("smoke-b1-01", "smoke-b2-01");
            // The fire in B1 reaches alarm levels of smoke; B2's detector stays near zero.
            assertThat(smoke(posts, "smoke-b1-01")).anySatisfy(v -> assertThat(v).isGreaterThan(10));
            assertThat(smoke(posts, "smoke-b2-01")).allSatisfy(v -> assertThat(v).isLessThan(1));
        } finally {
            gateway.destroy();
        }
    }

    private static List<Double> smoke(List<String> posts, String deviceId) {
        return posts.stream().filter(p -> p.startsWith(deviceId + " ")).map(p -> Double.parseDouble(p.split(" ")[1])).toList();
    }

    private static String[] with(String... more) {
        String[] all = new String[REQUIRED.length + more.length];
        System.arraycopy(REQUIRED, 0, all, 0, REQUIRED.length);
        System.arraycopy(more, 0, all, REQUIRED.length, more.length);
        return all;
    }

    private static PrintStream print(ByteArrayOutputStream target) {
        return new PrintStream(target, true, StandardCharsets.UTF_8);
    }

    private static String text(ByteArrayOutputStream target) {
        return target.toString(StandardCharsets.UTF_8);
    }
}
