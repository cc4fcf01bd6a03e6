package org.communityguard.sim.bench.edge;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load side of {@code bash deploy/bench.sh edge}: 1,000 devices (MQTT lamp-posts and CoAP
 * smoke detectors) sending as fast as the gateway acknowledges, for a warm-up and then a measured
 * window. The rate is what the agent itself counted as accepted (on disk) in that window, read
 * from its /metrics, not what this side sent.
 *
 * <pre>usage: EdgeBench BROKER_URL COAP_URI METRICS_URL [devices=1000] [coap-share-pct=20] [warmup-s=10] [measure-s=30]</pre>
 * Prints {@code accepted_per_s=<n>} and the counters on its last lines.
 */
public final class EdgeBench {

    private static final Pattern ACCEPTED = Pattern.compile("(?m)^edge_readings_accepted_total\\{protocol=\"(\\w+)\"} ([0-9.eE+]+)$");

    private EdgeBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: EdgeBench BROKER_URL COAP_URI METRICS_URL [devices] [coap-share-pct] [warmup-s] [measure-s]");
            System.exit(2);
        }
        int devices = args.length > 3 ? Integer.parseInt(args[3]) : 1000;
        int coapPct = args.length > 4 ? Integer.parseInt(args[4]) : 20;
        int warmup = args.length > 5 ? Integer.parseInt(args[5]) : 10;
        int measure = args.length > 6 ? Integer.parseInt(args[6]) : 30;
        int coapDevices = devices * coapPct / 100;
        URI metrics = URI.create(args[2]);
        try (EdgeLoad load = new EdgeLoad(args[0], URI.create(args[1]), "bench", devices - coapDevices, coapDevices, 4)) {
            Thread sender = new Thread(() -> {
                try {
                    load.sendFor(Duration.ofSeconds(warmup + measure + 2));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "edge-bench-sender");
            sender.start();
            Thread.sleep(warmup * 1000L);
            double before = accepted(metrics);
            long t0 = System.nanoTime();
            Thread.sleep(measure * 1000L);
            double after = accepted(metrics);
            double seconds = (System.nanoTime() - t0) / 1e9;
            sender.join();
            load.awaitSettled(Duration.ofSeconds(30));
            System.out.printf("sent=%d acknowledged=%d failed=%d%n", load.sent(), load.acknowledged(), load.failed());
            System.out.printf("accepted_per_s=%d%n", Math.round((after - before) / seconds));
        }
    }

    /** The agent's accepted readings so far, both protocols. */
    private static double accepted(URI metrics) throws IOException, InterruptedException {
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        double sum = 0;
        Matcher m = ACCEPTED.matcher(text);
        while (m.find()) {
            sum += Double.parseDouble(m.group(2));
        }
        return sum;
    }
}
