package org.communityguard.sim.bench.alarm;

import java.util.Optional;

/**
 * Server-sent events out of a stream's lines, as a browser's EventSource reads them: fields up to
 * a blank line make one event; comments (the hub's keep-alives) and {@code retry:} are skipped.
 * Only the fields the hub sends are kept. Not thread safe: one per stream reader.
 */
final class SseEvents {

    /** One event: its type ({@code message} when the stream named none), id (null without) and data. */
    record Event(String type, String id, String data) {
    }

    private String type;
    private String id;
    private StringBuilder data;

    /** The event this line completes, if it is the blank line after one. */
    Optional<Event> accept(String line) {
        if (line.isEmpty()) {
            Optional<Event> event = data == null && type == null ? Optional.empty()
                    : Optional.of(new Event(type == null ? "message" : type, id, data == null ? "" : data.toString()));
            type = null;
            id = null;
            data = null;
            return event;
        }
        if (line.startsWith(":")) {
            return Optional.empty();
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "event" -> type = value;
            case "id" -> id = value;
            case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            default -> {
                // retry: and unknown fields change nothing this client does.
            }
        }
        return Optional.empty();
    }
}
