package org.communityguard.sim.bench;

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
 * One histogram of the hub's {@code /metrics} (Prometheus exposition), read before and after a
 * measurement: its growth is what happened in between. The benchmarks read the hub's own part
 * of a batch's wait with it, from arrival to commit ({@code hub_ingest_latency_seconds}, by
 * lane), and its transactions ({@code hub_ingest_commit_seconds}). A histogram gives bucket
 * bounds, not values: a percentile here is "at most" the bound of its bucket.
 */
public final class HubHistogram {

    public static final String INGEST_LATENCY = "hub_ingest_latency_seconds";
    public static final String INGEST_COMMIT = "hub_ingest_commit_seconds";

    /** Cumulative counts by upper bound (seconds; +Inf last). */
    public record Snapshot(TreeMap<Double, Double> buckets) {

        /** What was added since {@code before}. */
        public Snapshot since(Snapshot before) {
            TreeMap<Double, Double> d = new TreeMap<>();
            buckets.forEach((le, n) -> d.put(le, n - before.buckets.getOrDefault(le, 0.0)));
            return new Snapshot(d);
        }

        public double count() {
            return buckets.isEmpty() ? 0 : buckets.lastEntry().getValue();
        }

        /** The bound (ms) of the first bucket holding the nearest-rank {@code pct} percentile; NaN when empty. */
        public double percentileBoundMs(double pct) {
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
    private final Pattern bucket;

    /**
     * @param hub    the hub's HTTP base URL
     * @param metric the histogram's name in the exposition
     * @param lane   only the series with this {@code lane} label; null for a histogram without one
     */
    public HubHistogram(HttpClient http, String hub, String metric, String lane) {
        this.http = http;
        this.metrics = URI.create(hub + "/metrics");
        this.bucket = bucket(metric, lane);
    }

    public Snapshot snapshot() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + metrics + " answered " + r.statusCode());
        }
        return parse(r.body(), bucket);
    }

    /** The histogram as {@code exposition} shows it (tests give it text). */
    public static Snapshot parse(String exposition, String metric, String lane) {
        return parse(exposition, bucket(metric, lane));
    }

    private static Pattern bucket(String metric, String lane) {
        String onLane = lane == null ? "" : "(?=[^}]*lane=\"" + Pattern.quote(lane) + "\")";
        return Pattern.compile("^" + Pattern.quote(metric) + "_bucket\\{" + onLane
                + "(?=[^}]*le=\"([^\"]+)\")[^}]*} ([0-9.eE+-]+)$");
    }

    private static Snapshot parse(String exposition, Pattern bucket) {
        TreeMap<Double, Double> buckets = new TreeMap<>();
        for (String line : exposition.split("\n")) {
            Matcher m = bucket.matcher(line);
            if (m.matches()) {
                double le = "+Inf".equals(m.group(1)) ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
                buckets.put(le, Double.parseDouble(m.group(2)));
            }
        }
        return new Snapshot(buckets);
    }
}
