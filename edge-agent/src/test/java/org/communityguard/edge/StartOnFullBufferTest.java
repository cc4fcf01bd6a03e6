package org.communityguard.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.communityguard.edge.buffer.UplinkBuffer;
import org.communityguard.edge.device.DeviceType;
import org.communityguard.edge.device.Kind;
import org.communityguard.edge.device.Reading;
import org.communityguard.edge.device.ReadingSink.Admission;
import org.communityguard.edge.uplink.ReadingJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent starts, under the systemd unit's heap, on a buffer full of readings received in the
 * last minutes (what a power cut at a busy gateway leaves): seeding duplicate detection from them
 * must not need them all in memory at once. Under systemd an agent that cannot start restarts into
 * the same death for as long as the buffer holds them, and the gateway's alarms go nowhere.
 */
class StartOnFullBufferTest {

    /** More than the 62,344 readings of the buffer a 20-cut power-loss run left, which no start survived. */
    private static final int READINGS = 120_000;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final String SITE = """
            community: test
            buildings: [{id: B1}]
            devices:
              - {id: manhole-1, type: manhole, building: B1, gateway: gw-full, auth: none}
              - {id: manhole-2, type: manhole, building: B1, gateway: gw-full, auth: none}
              - {id: manhole-3, type: manhole, building: B1, gateway: gw-full, auth: none}
            """;

    @TempDir
    Path dir;

    @Test
    void startsUnderTheUnitsHeapOnABufferOfRecentReadings() throws Exception {
        Path bufferDir = dir.resolve("buffer");
        fill(bufferDir.resolve("buffer.db"));
        Path site = dir.resolve("site.yaml");
        Files.writeString(site, SITE);
        Path log = dir.resolve("agent.log");
        int metricsPort = freePort();

        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // The options of deploy/systemd/communityguard-edge.service.
                "-Xmx64m", "-XX:+UseSerialGC", "-Xss512k", "-XX:+ExitOnOutOfMemoryError",
                "-cp", System.getProperty("java.class.path"), EdgeAgent.class.getName())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("EDGE_GATEWAY_ID", "gw-full");
        pb.environment().put("EDGE_SITE_FILE", site.toString());
        // Nothing listens on either: the agent must start anyway (readings wait in the buffer).
        pb.environment().put("EDGE_BROKER_URL", "tcp://127.0.0.1:9");
        pb.environment().put("EDGE_UPLINK_URL", "tcp://127.0.0.1:9");
        pb.environment().put("EDGE_UPLINK_SECRET", "start-on-full-buffer-secret");
        pb.environment().put("EDGE_PRIVACY_PSEUDONYM_KEY", "start-on-full-buffer-pseudonym-key-0123456789");
        pb.environment().put("EDGE_COAP_HOST", "127.0.0.1");
        pb.environment().put("EDGE_COAP_PORT", "0");
        pb.environment().put("EDGE_METRICS_HOST", "127.0.0.1");
        pb.environment().put("EDGE_METRICS_PORT", Integer.toString(metricsPort));
        pb.environment().put("EDGE_BUFFER_DIR", bufferDir.toString());
        Process agent = pb.start();
        try {
            String health = awaitHealth(agent, metricsPort, log);
            assertThat(health).contains("\"buffer_pending_readings\":" + READINGS);
            assertThat(Files.readString(log)).contains("duplicate detection remembers " + READINGS + " readings");
        } finally {
            agent.destroyForcibly().waitFor();
        }
    }

    /** Readings of three devices, as many a second as a busy bench gateway receives, all within the last minutes. */
    private static void fill(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        long now = System.currentTimeMillis();
        long start = now - Duration.ofMinutes(4).toMillis();
        try (UplinkBuffer buffer = new UplinkBuffer(new UplinkBuffer.Settings(file, "gw-full", 500_000_000, 0, 0),
                new ReadingJson(new ObjectMapper()), Clock.systemUTC(), new SimpleMeterRegistry())) {
            CompletionStage<Admission> last = null;
            for (int i = 0; i < READINGS; i++) {
                long rx = start + (now - start) * i / READINGS;
                ObjectNode data = JsonNodeFactory.instance.objectNode().put("cover_open", false).put("tilt_deg", 0.97)
                        .put("water_below_cover_cm", 163.3).put("ch4_pct_lel", 0.14).put("h2s_ppm", 0.03)
                        .put("battery_pct", 71.3).put("rssi_dbm", -96);
                last = buffer.offer(new Reading("manhole-" + (1 + i % 3), DeviceType.MANHOLE, Kind.TELEMETRY, rx, rx, (long) (i / 3), Set.of(), data));
                if (i % 10_000 == 9_999) {
                    assertThat(last.toCompletableFuture().join()).isEqualTo(Admission.ACCEPTED);
                }
            }
            assertThat(last.toCompletableFuture().join()).isEqualTo(Admission.ACCEPTED);
            assertThat(buffer.pendingReadings()).isEqualTo(READINGS);
        }
    }

    /** The body of the agent's first /health answer (200 or 503: it answers once it has started). */
    private static String awaitHealth(Process agent, int port, Path log) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!agent.isAlive()) {
                throw new AssertionError("the edge agent exited with " + agent.exitValue() + " before it served /health:\n"
                        + tail(log));
            }
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the edge agent did not serve /health in " + START_TIMEOUT.toSeconds() + " s:\n" + tail(log));
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
