package org.communityguard.hub.console;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.communityguard.hub.api.LiveEvents;
import org.communityguard.hub.api.Request;
import org.communityguard.hub.api.Response;

/**
 * {@code GET /api/board}: the live board's snapshot. Carries {@code last_event_id}, read before
 * the incidents: subscribing to {@code /api/events} from it misses nothing that happened after
 * the snapshot (an incident in both is told apart by its id).
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
        List<BoardIncident> open = board.open(MAX_OPEN + 1);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("server_time", Instant.now().toString());
        body.put("last_event_id", lastEventId);
        body.put("open", open.size() > MAX_OPEN ? open.subList(0, MAX_OPEN) : open);
        body.put("open_truncated", open.size() > MAX_OPEN);
        body.put("open_counts", board.openCounts());
        body.put("recently_closed", board.recentlyClosed(RECENT));
        return Response.json(200, req.json().writeValueAsBytes(body));
    }
}
