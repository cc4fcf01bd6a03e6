package org.communityguard.sim.bench.faults;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The notification provider of deploy/bench.sh faults: a webhook endpoint the hub POSTs its
 * notifications to ({@code HUB_NOTIFY_WEBHOOK_URL}), which can go down in two ways, answering
 * 503 to everything or refusing connections (nothing listens), and come back. Remembers every
 * notification it accepted by the hub's delivery id ({@code X-CommunityGuard-Delivery}, the
 * outbox row, the same on every retry). The signature is not checked: this measures delivery.
 */
public final class WebhookReceiver implements AutoCloseable {

    /** What the provider does with a notification now. */
    public enum Mode { UP, ANSWER_503, REFUSE }

    private final int port;
    private final Set<Long> accepted = ConcurrentHashMap.newKeySet();
    private final AtomicLong answered503 = new AtomicLong();
    private HttpServer server;
    private volatile Mode mode = Mode.UP;

    public WebhookReceiver(int port) throws IOException {
        this.port = port;
        listen();
    }

    public synchronized void mode(Mode next) throws IOException {
        if (next == Mode.REFUSE && server != null) {
            server.stop(0);
            server = null;
        } else if (next != Mode.REFUSE && server == null) {
            listen();
        }
        mode = next;
    }

    /** Delivery ids (outbox rows) accepted. */
    public Set<Long> acceptedDeliveries() {
        return Set.copyOf(accepted);
    }

    public long answered503() {
        return answered503.get();
    }

    private void listen() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        s.createContext("/", this::handle);
        s.start();
        server = s;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream body = exchange.getRequestBody()) {
            body.readAllBytes();
            if (mode != Mode.UP) {
                answered503.incrementAndGet();
                exchange.sendResponseHeaders(503, -1);
                return;
            }
            String delivery = exchange.getRequestHeaders().getFirst("X-CommunityGuard-Delivery");
            if (delivery == null || !delivery.trim().matches("\\d{1,18}")) {
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            accepted.add(Long.parseLong(delivery.trim()));
            exchange.sendResponseHeaders(204, -1);
        }
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
        }
    }
}
