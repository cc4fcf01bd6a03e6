package org.communityguard.edge.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.communityguard.edge.config.ConfigException;

/**
 * {@code GET /metrics} (Prometheus text) and {@code GET /health} (JSON) of the edge agent, on
 * the JDK's own HTTP server: one small thread, nothing to add to a Raspberry Pi's footprint.
 */
public final class MetricsServer implements AutoCloseable {

    private final HttpServer server;

    /** @param health JSON body of /health; its {@code "status"} decides 200 ("ok") or 503 */
    public MetricsServer(String host, int port, PrometheusMeterRegistry registry, Supplier<String> health) {
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (BindException e) {
            throw new ConfigException("metrics port " + port + " on " + host + " is already in use: set EDGE_METRICS_PORT");
        } catch (IOException e) {
            throw new ConfigException("cannot start the metrics endpoint on " + host + ":" + port + ": " + e.getMessage());
        }
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "edge-metrics");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/metrics", ex -> {
            if (!"GET".equals(ex.getRequestMethod())) {
                send(ex, 405, "text/plain", "GET only\n");
                return;
            }
            send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
        });
        server.createContext("/health", ex -> {
            String body = health.get();
            send(ex, body.contains("\"status\":\"ok\"") ? 200 : 503, "application/json", body);
        });
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
