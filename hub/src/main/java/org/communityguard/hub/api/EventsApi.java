package org.communityguard.hub.api;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * {@code GET /api/events}: server-sent events for the console (and any API client). Resumes after
 * the {@code Last-Event-ID} header the browser sends on reconnect, or after
 * {@code ?last_event_id=} (the id the board snapshot carried). Event types: {@code incident.opened}
 * (data: a board row), {@code reset} (reload the snapshot), {@code signed-out}.
 */
public final class EventsApi {

    private final LiveEvents events;
    private final Authenticator authenticator;
    private final Executor blocking;
    private final Duration heartbeat;

    public EventsApi(LiveEvents events, Authenticator authenticator, Executor blocking, Duration heartbeat) {
        this.events = events;
        this.authenticator = authenticator;
        this.blocking = blocking;
        this.heartbeat = heartbeat;
    }

    public Response stream(Request req) {
        String last = req.headers().get("Last-Event-ID");
        if (last == null) {
            last = req.queryParam("last_event_id");
        }
        if (last != null && last.length() > 64) {
            throw HttpError.badRequest("'last_event_id' is not an event id");
        }
        Credential credential = req.credential();
        EventStream stream = new EventStream(events, heartbeat, blocking, () -> authenticator.stillValid(credential));
        stream.bind(events.subscribe(last, stream));
        return Response.stream("text/event-stream; charset=utf-8", stream::start);
    }
}
