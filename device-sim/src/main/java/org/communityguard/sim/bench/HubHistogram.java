package org.communityguard.sim.bench.alarm;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hub's own share of an alarm's time: its safety lane, from the batch's arrival to its
 * commit ({@code hub_ingest_latency_seconds{lane="safety"}}, a histogram on the hub's
 * {@code /metrics}). In this benchmark only the alarms' gateway sends batches small enough for
 * that lane, so the histogram's growth over a level is the level's alarms. A histogram gives
 * bucket bounds, not values: a percentile here is "at most" the bound of its bucket.
 */
final class HubLane {

    private static final Pattern BUCKET = Pattern.compile(
            "^hub_ingest_latency_seconds_bucket\\{(?=[^}]*lane=\"safety\")(?=[^}]*le=\"([^\"]+)\")[^}]*} ([0-9.eE+-]+)$");

    /** Cumulative counts by upper bound (seconds; +Inf last). */
    record Snapshot(TreeMap<Double, Double> buckets) {

        /** What was added since {@code before}. */
        Snapshot since(Snapshot before) {
            TreeMap<Double, Double> d = new TreeMap<>();
            buckets.forEach((le, n) -> d.put(le, n - before.buckets.getOrDefault(le, 0.0)));
            return new Snapshot(d);
        }

        double count() {
            return buckets.isEmpty() ? 0 : buckets.lastEntry().getValue();
        }

        /** The bound (ms) of the first bucket holding the nearest-rank {@code pct} percentile; NaN when empty. */
        double percentileBoundMs(double pct) {
            double n = count();
            if (n <= 0) {
                return Double.NaN;
            }
            double rank = Math.max(1, Math.ceil(pct / 100 * n));
            for (Map.Entry<Double, Double> e : buckets.entrySet()) {
                if (e.getValue() >= rank) {
                    return e.getKey() * 1000;
                }
            }
            return Double.POSITIVE_INFINITY;
        }
    }

    private final HttpClient http;
    private final URI metrics;

    HubLane(HttpClient http, String hub) {
        this.http = http;
        this.metrics = URI.create(hub + "/metrics");
    }

    Snapshot snapshot() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + metrics + " answered " + r.statusCode());
        }
        return parse(r.body());
    }

    static Snapshot parse(String exposition) {
        TreeMap<Double, Double> buckets = new TreeMap<>();
        for (String line : exposition.split("\n")) {
            Matcher m = BUCKET.matcher(line);
            if (m.matches()) {
                double le = "+Inf".equals(m.group(1)) ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
                buckets.put(le, Double.parseDouble(m.group(2)));
            }
        }
        return new Snapshot(buckets);
    }
}
