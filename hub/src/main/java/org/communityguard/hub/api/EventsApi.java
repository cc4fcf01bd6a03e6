package org.communityguard.hub.api;

import java.time.Duration;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.communityguard.hub.incident.lifecycle.Visibility;
import org.communityguard.hub.storage.Tx;

/**
 * {@code GET /api/events}: server-sent events for the console (and any API client). Resumes after
 * the {@code Last-Event-ID} header the browser sends on reconnect, or after
 * {@code ?last_event_id=} (the id the board snapshot carried). Event types: {@code incident.opened}
 * and {@code incident.updated} (data: a board row), {@code incident.gone} (an incident this caller
 * may not see any more), {@code reset} (reload the snapshot), {@code signed-out}. Each client gets
 * incident rows only for the incidents it may see ({@code Visibility}, as in its board).
 */
public final class EventsApi {

    private final LiveEvents events;
    private final Authenticator authenticator;
    private final Executor blocking;
    private final Duration heartbeat;
    private final DataSource dataSource;

    public EventsApi(LiveEvents events, Authenticator authenticator, Executor blocking, Duration heartbeat,
                     DataSource dataSource) {
        this.dataSource = dataSource;
        this.events = events;
        this.authenticator = authenticator;
        this.blocking = blocking;
        this.heartbeat = heartbeat;
    }

    public Response stream(Request req) throws Exception {
        String last = req.headers().get("Last-Event-ID");
        if (last == null) {
            last = req.queryParam("last_event_id");
        }
        if (last != null && last.length() > 64) {
            throw HttpError.badRequest("'last_event_id' is not an event id");
        }
        // Read once per stream: a grid worker moved to another grid reconnects to see the new one.
        Visibility.Viewer viewer = Tx.run(dataSource, c -> Visibility.viewer(c, req.principal()));
        Credential credential = req.credential();
        EventStream stream = new EventStream(events, heartbeat, blocking, () -> authenticator.stillValid(credential));
        // One user's streams are counted together (live.max-clients-per-user): tabs, phones, scripts.
        stream.bind(events.subscribe(last, stream, a -> viewer.sees(a.grid(), a.department(), a.responder()),
                req.principal().username()));
        return Response.stream("text/event-stream; charset=utf-8", stream::start);
    }
}
