package org.communityguard.sim.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hub as a separate JVM ({@code org.communityguard.hub.Hub} from the test classpath, with the
 * hub's own logging configuration), so a test can SIGKILL it mid-batch (no shutdown hook, no
 * draining of the ingest queue) and start it again on the same database and ports: the gateway
 * reconnects to the same uplink port, as to a hub restarted by systemd.
 */
final class HubProcess implements AutoCloseable {

    private static final Path LOGBACK = Path.of("..", "hub", "src", "main", "resources", "logback.xml");
    /** Generous: on a loaded 2-core machine a JVM start took over 30 s. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Pattern STORED = Pattern.compile("(?m)^hub_readings_stored_total ([0-9.eE+]+)$");

    private final Map<String, String> env;
    private final Path log;
    private final int httpPort;
    private final int uplinkPort;
    private Process process;
    private long startMillis = -1;

    /**
     * @param env the hub's settings (e.g. {@link Chain#hubEnv}); must fix HUB_HTTP_PORT and
     *            HUB_UPLINK_PORT, so that a restarted hub is where the gateway and the test look
     */
    HubProcess(Map<String, String> env, Path log) {
        this.env = Map.copyOf(env);
        this.log = log;
        this.httpPort = Integer.parseInt(env.get("HUB_HTTP_PORT"));
        this.uplinkPort = Integer.parseInt(env.get("HUB_UPLINK_PORT"));
        if (httpPort == 0 || uplinkPort == 0) {
            throw new IllegalArgumentException("a hub process needs fixed ports to be restarted on");
        }
    }

    /**
     * Starts the hub (appending to its log) and waits until {@code /api/health} answers 200. A
     * second start leaves out the one-time registrations, {@code HUB_ADMIN_PASSWORD} and
     * {@code HUB_UPLINK_GATEWAYS}: the database has them from the first, and hashing them again
     * (Argon2id) would add seconds to every restart on a busy test machine.
     */
    HubProcess start() throws IOException, InterruptedException {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Dlogback.configurationFile=" + LOGBACK.toAbsolutePath(),
                "-cp", System.getProperty("java.class.path"), "org.communityguard.hub.Hub");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        if (startMillis >= 0) {
            pb.environment().remove("HUB_ADMIN_PASSWORD");
            pb.environment().remove("HUB_UPLINK_GATEWAYS");
        }
        long started = System.nanoTime();
        process = ChildProcesses.start(pb);
        try {
            awaitHealthy(started);
            return this;
        } catch (IOException | InterruptedException | RuntimeException e) {
            ChildProcesses.destroy(process);
            throw e;
        }
    }

    private void awaitHealthy(long started) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI health = URI.create("http://127.0.0.1:" + httpPort + "/api/health");
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the hub exited with " + process.exitValue() + "; see " + log);
            }
            try {
                if (http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    startMillis = (System.nanoTime() - started) / 1_000_000;
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the hub did not become healthy in " + START_TIMEOUT.toSeconds() + " s; see " + log);
    }

    /** This process's {@code hub_readings_stored_total} (from 0 at every start); -1 when it does not answer. */
    long readingsStored() throws InterruptedException {
        try {
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + httpPort + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = STORED.matcher(metrics);
            return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /** SIGKILL: whatever the hub had in flight is gone with it. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** How long the last {@link #start()} took, process start to healthy. */
    long startMillis() {
        return startMillis;
    }

    int uplinkPort() {
        return uplinkPort;
    }

    int httpPort() {
        return httpPort;
    }

    /** SIGTERM: the hub's shutdown hook stops listening and drains its ingest queue. */
    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
