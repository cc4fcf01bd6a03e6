package org.communityguard.sim.bench.alarm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The console's own live stream, as a signed-in browser holds it: sign in at
 * {@code /api/auth/login} as the console does, then {@code GET /api/events} with the session
 * cookie. Every {@code incident.opened} of a FIRE goes to the ledger, timed at the moment its
 * event was complete (the blank line that ends it), on this JVM's {@link System#nanoTime}.
 * The stream is not resumed if it breaks: a broken stream is reported, as a console user would
 * see a gap.
 */
final class LiveStream implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpResponse<InputStream> response;
    private final Thread reader;
    private final AtomicInteger resets = new AtomicInteger();
    private volatile boolean closing;
    private volatile String broken;

    private LiveStream(HttpResponse<InputStream> response, AlarmLedger ledger) {
        this.response = response;
        this.reader = new Thread(() -> read(ledger), "live-stream");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    static LiveStream open(HttpClient http, String hub, String username, String password, AlarmLedger ledger)
            throws IOException, InterruptedException {
        HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(hub + "/api/auth/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
                        Map.of("username", username, "password", password)))).build(), HttpResponse.BodyHandlers.ofString());
        if (login.statusCode() != 200) {
            throw new IllegalStateException("sign-in answered " + login.statusCode() + ": " + login.body());
        }
        String setCookie = login.headers().firstValue("Set-Cookie")
                .orElseThrow(() -> new IllegalStateException("sign-in set no session cookie"));
        String cookie = setCookie.substring(0, setCookie.indexOf(';') < 0 ? setCookie.length() : setCookie.indexOf(';'));
        HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(URI.create(hub + "/api/events"))
                .header("Cookie", cookie).header("Accept", "text/event-stream")
                .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        if (stream.statusCode() != 200) {
            stream.body().close();
            throw new IllegalStateException("GET /api/events answered " + stream.statusCode());
        }
        return new LiveStream(stream, ledger);
    }

    /** Why the stream ended before {@link #close}, if it did. */
    Optional<String> broken() {
        return Optional.ofNullable(broken);
    }

    /** {@code reset} events: the hub told this client to reload its board (it fell behind). */
    int resets() {
        return resets.get();
    }

    private void read(AlarmLedger ledger) {
        SseEvents events = new SseEvents();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                long now = System.nanoTime();
                Optional<SseEvents.Event> event = events.accept(line);
                if (event.isEmpty()) {
                    continue;
                }
                switch (event.get().type()) {
                    case "incident.opened" -> {
                        JsonNode row = JSON.readTree(event.get().data());
                        if ("FIRE".equals(row.path("type").asText())) {
                            ledger.opened(row.path("device_id").asText(), now);
                        }
                    }
                    case "reset" -> resets.incrementAndGet();
                    case "signed-out" -> broken = "the hub signed the stream's session out";
                    default -> {
                        // incident.updated and incident.gone say nothing about an alarm's arrival.
                    }
                }
            }
            if (!closing && broken == null) {
                broken = "the hub ended the stream";
            }
        } catch (IOException e) {
            if (!closing) {
                broken = "the stream failed: " + e;
            }
        }
    }

    @Override
    public void close() throws IOException {
        closing = true;
        response.body().close();
        reader.interrupt();
    }
}
