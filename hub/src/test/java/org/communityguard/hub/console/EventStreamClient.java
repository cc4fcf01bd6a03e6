package org.communityguard.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** An open {@code GET /api/events} stream, read as a browser's EventSource would: its lines, as they arrive. */
final class EventStreamClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    final HttpResponse<InputStream> response;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    /** Every line taken from {@link #lines} so far. */
    final List<String> seen = new CopyOnWriteArrayList<>();
    private final Thread reader;

    EventStreamClient(HttpClient http, HttpRequest request) throws Exception {
        response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
                lines.add("<closed>");
            } catch (Exception e) {
                lines.add("<closed>");
            }
        }, "sse-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** The next event (id, type, data), skipping keep-alive comments; fails after 30 s, keep-alives or not. */
    List<String> nextEvent() throws InterruptedException {
        List<String> event = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            assertThat(line).as("an event within 30 s").isNotNull().isNotEqualTo("<closed>");
            seen.add(line);
            if (line.isEmpty()) {
                if (event.stream().anyMatch(l -> l.startsWith("event: "))) {
                    return event;
                }
                event.clear();
            } else if (!line.startsWith(":") && !line.startsWith("retry:")) {
                event.add(line);
            }
        }
    }

    /** The next event of {@code type} about {@code device}'s incident (in {@code status}, unless null); others are skipped. */
    JsonNode nextAbout(String type, String device, String status) throws Exception {
        while (true) {
            List<String> event = nextEvent();
            JsonNode row = JSON.readTree(field(event, "data"));
            if (field(event, "event").equals(type) && row.path("device_id").asText().equals(device)
                    && (status == null || row.path("status").asText().equals(status))) {
                return row;
            }
        }
    }

    boolean sawLine(String line) throws InterruptedException {
        for (String l = lines.poll(30, TimeUnit.SECONDS); l != null; l = lines.poll(30, TimeUnit.SECONDS)) {
            if (l.equals(line)) {
                return true;
            }
            if (l.equals("<closed>")) {
                return false;
            }
        }
        return false;
    }

    static String field(List<String> event, String name) {
        return event.stream().filter(l -> l.startsWith(name + ": ")).map(l -> l.substring(name.length() + 2))
                .findFirst().orElseThrow(() -> new AssertionError("no " + name + " in " + event));
    }

    @Override
    public void close() throws Exception {
        response.body().close();
        reader.interrupt();
    }
}
