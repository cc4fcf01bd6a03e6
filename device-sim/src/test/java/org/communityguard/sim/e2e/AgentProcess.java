package org.communityguard.sim.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The edge agent as a separate process, started from the test classpath with its own
 * logging configuration, so a test can kill it with SIGKILL (no shutdown hook, no flush) and
 * read what it logged.
 */
final class AgentProcess implements AutoCloseable {

    private static final Path LOGBACK = Path.of("..", "edge-agent", "src", "main", "resources", "logback.xml");
    /** Generous: on a loaded 2-core machine a JVM start took over 30 s. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Pattern PENDING = Pattern.compile("(?m)^edge_buffer_pending_readings ([0-9.eE+]+)$");

    private final Map<String, String> env;
    private final Path log;
    private final int metricsPort;
    private Process process;

    /** @param env the agent's settings; must fix EDGE_METRICS_PORT so health can be polled */
    AgentProcess(Map<String, String> env, Path log) {
        this.env = Map.copyOf(env);
        this.log = log;
        this.metricsPort = Integer.parseInt(env.get("EDGE_METRICS_PORT"));
    }

    /** Starts the agent and waits until its /health answers. */
    AgentProcess start() throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx96m", "-Dlogback.configurationFile=" + LOGBACK.toAbsolutePath(),
                "-cp", System.getProperty("java.class.path"), "org.communityguard.edge.EdgeAgent"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        process = ChildProcesses.start(pb);
        try {
            awaitHealthy();
            return this;
        } catch (IOException | InterruptedException | RuntimeException e) {
            ChildProcesses.destroy(process);
            throw e;
        }
    }

    private void awaitHealthy() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the edge agent exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the edge agent did not become healthy in " + START_TIMEOUT.toSeconds() + " s; see " + log);
    }

    /** SIGKILL: the process gets no chance to flush, close or say goodbye. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** The agent's Prometheus text. */
    String metrics() throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** {@code edge_buffer_pending_readings}: readings the hub has not acknowledged yet; -1 when not reported. */
    double pendingReadings() throws IOException, InterruptedException {
        Matcher m = PENDING.matcher(metrics());
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
