package org.communityguard.hub.console;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.communityguard.hub.api.LiveEvents;
import org.communityguard.hub.api.Request;
import org.communityguard.hub.api.Response;
import org.communityguard.hub.incident.lifecycle.Action;
import org.communityguard.hub.incident.lifecycle.Lifecycle;

/**
 * {@code GET /api/board}: the live board's snapshot. Carries {@code last_event_id}, read before
 * the incidents: subscribing to {@code /api/events} from it misses nothing that happened after
 * the snapshot (an incident in both is told apart by its id). Lists only what the caller may
 * see (a grid worker: their own queue).
 */
public final class BoardApi {

    /** More open incidents than this is a disaster the board says it cannot list whole. */
    static final int MAX_OPEN = 500;
    static final int RECENT = 20;

    private final BoardQuery board;
    private final LiveEvents events;

    public BoardApi(BoardQuery board, LiveEvents events) {
        this.board = board;
        this.events = events;
    }

    public Response snapshot(Request req) throws Exception {
        String lastEventId = events.lastEventId();
        BoardQuery.Snapshot snapshot = board.snapshot(req.principal(), MAX_OPEN + 1, RECENT);
        List<BoardIncident> open = snapshot.open();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("server_time", Instant.now().toString());
        body.put("last_event_id", lastEventId);
        body.put("open", open.size() > MAX_OPEN ? open.subList(0, MAX_OPEN) : open);
        body.put("open_truncated", open.size() > MAX_OPEN);
        body.put("open_counts", snapshot.openCounts());
        body.put("recently_closed", snapshot.recentlyClosed());
        // What this caller's role may ever do (the table's "who" column): the alarm band offers
        // "acknowledge" only to those who may; the incident's own answer says what is allowed now.
        body.put("role_actions", Lifecycle.allowed(req.principal().role()).stream().map(Action::path).toList());
        return Response.json(200, req.json().writeValueAsBytes(body));
    }
}
