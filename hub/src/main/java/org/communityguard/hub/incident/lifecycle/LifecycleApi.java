package org.communityguard.hub.incident.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.communityguard.hub.api.Fields;
import org.communityguard.hub.api.HttpError;
import org.communityguard.hub.api.Request;
import org.communityguard.hub.api.Response;
import org.communityguard.hub.dispatch.Assignment;
import org.communityguard.hub.storage.Tx;

/**
 * {@code GET /api/incidents/{id}} and the loop's actions, {@code POST /api/incidents/{id}/<action>}.
 * Each action answers with the incident as it now is (the same body as the GET).
 */
public final class LifecycleApi {

    private final DataSource dataSource;
    private final IncidentLoop loop;
    private final IncidentReader reader;

    public LifecycleApi(DataSource dataSource, IncidentLoop loop, IncidentReader reader) {
        this.dataSource = dataSource;
        this.loop = loop;
        this.reader = reader;
    }

    public Response get(Request req) throws Exception {
        long id = id(req);
        IncidentView view = Tx.run(dataSource, c -> reader.read(c, id, req.principal()))
                .orElseThrow(() -> HttpError.notFound("no incident " + id));
        return Response.json(200, req.json().writeValueAsBytes(view));
    }

    public Response acknowledge(Request req) throws Exception {
        return act(req, Action.ACKNOWLEDGE, note(req));
    }

    public Response checkIn(Request req) throws Exception {
        return act(req, Action.CHECK_IN, note(req));
    }

    /** Body {@code {"action_taken": "..."}}: what was done. */
    public Response resolve(Request req) throws Exception {
        JsonNode body = req.jsonBody();
        return act(req, Action.RESOLVE, Map.of("action_taken", req.requiredText(body, "action_taken", 2000)));
    }

    /** Body {@code {"rating": 1..5, "comment": "..."}}: the evaluation (公众评价). */
    public Response close(Request req) throws Exception {
        JsonNode body = req.jsonBody();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("rating", Fields.integer(body, "rating", 1, 5, true));
        details.put("comment", Fields.optionalText(body, "comment", 2000));
        return act(req, Action.CLOSE, details);
    }

    /** Body {@code {"reason": "..."}}. */
    public Response reopen(Request req) throws Exception {
        JsonNode body = req.jsonBody();
        return act(req, Action.REOPEN, Map.of("reason", req.requiredText(body, "reason", 1000)));
    }

    /** Body {@code {"reason": "..."}}: a false alarm, and why. */
    public Response cancel(Request req) throws Exception {
        JsonNode body = req.jsonBody();
        return act(req, Action.CANCEL, Map.of("reason", req.requiredText(body, "reason", 1000)));
    }

    /** Manual (re-)dispatch; body optional: {@code {"department", "responder", "reason"}}, the rest from the routing table. */
    public Response dispatch(Request req) throws Exception {
        JsonNode body = Fields.optionalBody(req);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("reason", Fields.optionalText(body, "reason", 1000));
        Assignment override = new Assignment(null, Fields.optionalText(body, "department", 64), Fields.optionalText(body, "responder", 64));
        long id = id(req);
        loop.act(id, Action.DISPATCH, req.principal(), details, override);
        return get(req);
    }

    private Response act(Request req, Action action, Map<String, Object> details) throws Exception {
        loop.act(id(req), action, req.principal(), details, null);
        return get(req);
    }

    private static Map<String, Object> note(Request req) {
        Map<String, Object> details = new LinkedHashMap<>();
        String note = Fields.optionalText(Fields.optionalBody(req), "note", 1000);
        if (note != null) {
            details.put("note", note);
        }
        return details;
    }

    private static long id(Request req) {
        return Fields.pathId(req, "id", "incident");
    }
}
