package org.communityguard.sim.bench.gateways;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Asks the hub's {@code GET /api/health/live} every 250 ms, one request at a time, while a phase
 * runs: the HTTP API runs on the same bounded pool as the uplink's password checks, so what an
 * operator's console meets during a storm shows here (how long an answer took, and how often it
 * was 503 "overloaded" or no answer within 30 s).
 */
final class ApiProbe implements AutoCloseable {

    private static final long EVERY_MILLIS = 250;

    /** Requests made, the slowest answer (ms), and the outcomes by status ("timeout", "error" for no answer). */
    record Result(int requests, double slowestMs, Map<String, Integer> outcomes) {
    }

    private final HttpClient http;
    private final URI live;
    private final Thread thread;
    private final List<Double> millis = new ArrayList<>();
    private final Map<String, Integer> outcomes = new TreeMap<>();
    private volatile boolean running = true;

    ApiProbe(HttpClient http, String hub) {
        this.http = http;
        this.live = URI.create(hub + "/api/health/live");
        this.thread = new Thread(this::run, "api-probe");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run() {
        while (running) {
            long start = System.nanoTime();
            String outcome;
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(live).timeout(Duration.ofSeconds(30)).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                outcome = Integer.toString(r.statusCode());
            } catch (java.net.http.HttpTimeoutException e) {
                outcome = "timeout";
            } catch (IOException e) {
                outcome = "error";
            } catch (InterruptedException e) {
                return;
            }
            double ms = (System.nanoTime() - start) / 1e6;
            synchronized (this) {
                millis.add(ms);
                outcomes.merge(outcome, 1, Integer::sum);
            }
            try {
                Thread.sleep(Math.max(0, EVERY_MILLIS - (long) ms));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Stops asking; the request under way is waited for. */
    Result stop() throws InterruptedException {
        running = false;
        thread.join(Duration.ofSeconds(35).toMillis());
        synchronized (this) {
            return new Result(millis.size(), millis.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN),
                    new TreeMap<>(outcomes));
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
