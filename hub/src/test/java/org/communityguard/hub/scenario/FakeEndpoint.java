package org.communityguard.hub.scenario;

import com.sun.net.httpserver.HttpServer;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * A local HTTP endpoint standing in for a webhook receiver or an SMS gateway: it records every
 * request and answers as its script says (200, an error status with headers, or no answer at
 * all until the endpoint is closed). Requests are served in parallel, so one held open does not
 * hold up the next.
 */
public final class FakeEndpoint implements AutoCloseable {

    /** One request as received. */
    public record Received(Instant at, Map<String, List<String>> headers, String body) {
        public String header(String name) {
            for (var e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    /** The answer to one request; {@code holdOpen}: none, the request is held open until {@link #close}. */
    public record Reply(int status, Map<String, String> headers, boolean holdOpen) {
        public static Reply ok() {
            return status(200);
        }

        public static Reply status(int status) {
            return new Reply(status, Map.of(), false);
        }

        public static Reply hang() {
            return new Reply(0, Map.of(), true);
        }

        public Reply withHeader(String name, String value) {
            return new Reply(status, Map.of(name, value), holdOpen);
        }
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(new DefaultThreadFactory("fake-endpoint", true));
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger hanging = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);

    /** @param script the reply to a request, given how many came before it (0 for the first) and the request */
    public FakeEndpoint(BiFunction<Integer, Received, Reply> script) throws IOException {
        AtomicInteger count = new AtomicInteger();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Received r = new Received(Instant.now(), Map.copyOf(exchange.getRequestHeaders()),
                    new String(body, StandardCharsets.UTF_8));
            received.add(r);
            Reply reply = script.apply(count.getAndIncrement(), r);
            if (reply.holdOpen()) {
                hanging.incrementAndGet();
                try {
                    closed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                hanging.decrementAndGet();
                exchange.close();
                return;
            }
            reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            exchange.sendResponseHeaders(reply.status(), -1);
            exchange.close();
        });
        server.setExecutor(threads);
        server.start();
    }

    /** Answers the first {@code failFirst} requests with {@code failStatus}, then 200. */
    public FakeEndpoint(int failFirst, int failStatus) throws IOException {
        this((n, r) -> n < failFirst ? Reply.status(failStatus) : Reply.ok());
    }

    public static FakeEndpoint accepting() throws IOException {
        return new FakeEndpoint(0, 200);
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    /** Requests held open now, without an answer. */
    public int hanging() {
        return hanging.get();
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
