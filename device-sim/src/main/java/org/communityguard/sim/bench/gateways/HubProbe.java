package org.communityguard.sim.bench.gateways;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the driver reads from the hub itself: its Prometheus text at {@code /metrics} (served on
 * the hub's API pool, like the uplink's password checks, so during a storm it may answer late or
 * 503) and its resident memory from {@code /proc/<pid>/status}.
 */
public final class HubProbe {

    private final HttpClient http;
    private final URI metrics;
    private final long pid;

    public HubProbe(HttpClient http, String hub, long pid) {
        this.http = http;
        this.metrics = URI.create(hub + "/metrics");
        this.pid = pid;
    }

    /** The hub's /metrics text. */
    public String metrics() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + metrics + " answered " + r.statusCode());
        }
        return r.body();
    }

    /** A field of the hub's /proc status in MiB (VmRSS now, VmHWM its peak), or -1 without a pid or /proc. */
    public long memoryMib(String field) {
        if (pid <= 0) {
            return -1;
        }
        try {
            long kib = statusKib(Files.readString(Path.of("/proc", Long.toString(pid), "status")), field);
            return kib < 0 ? -1 : kib / 1024;
        } catch (IOException e) {
            return -1;
        }
    }

    /** A "Field:   123 kB" line of /proc/PID/status, in KiB; -1 when the field is missing or unreadable. */
    static long statusKib(String status, String field) {
        for (String line : status.split("\n")) {
            if (line.startsWith(field + ":")) {
                String[] parts = line.substring(field.length() + 1).trim().split("\\s+");
                try {
                    return Long.parseLong(parts[0]);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /**
     * Every series of metric {@code name} in Prometheus text, by its label set ("" when it has
     * none, else as written, such as {@code reason="connect_timeout"}); a value that is not a
     * number is left out.
     */
    static Map<String, Double> series(String exposition, String name) {
        Map<String, Double> out = new TreeMap<>();
        for (String line : exposition.split("\n")) {
            if (!line.startsWith(name) || line.startsWith("#")) {
                continue;
            }
            String rest = line.substring(name.length());
            String labels;
            if (rest.startsWith("{")) {
                int close = rest.lastIndexOf('}');
                if (close < 0) {
                    continue;
                }
                labels = rest.substring(1, close);
                rest = rest.substring(close + 1);
            } else if (rest.startsWith(" ")) {
                labels = "";
            } else {
                // Another metric whose name begins with this one.
                continue;
            }
            try {
                out.put(labels, Double.parseDouble(rest.trim().split("\\s+")[0]));
            } catch (NumberFormatException e) {
                // Not a sample line we can read; skipped.
            }
        }
        return out;
    }

    /** The sum of every series of metric {@code name}; 0 when it has none. */
    public static double total(String exposition, String name) {
        return series(exposition, name).values().stream().mapToDouble(Double::doubleValue).sum();
    }
}
