package org.communityguard.hub.api;

import java.sql.Connection;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.communityguard.hub.incident.IncidentStore;
import org.communityguard.hub.incident.lifecycle.Visibility;

/** Incident endpoints of the API. */
public final class IncidentApi {

    private static final Set<String> STATUSES = Set.of("open", "dispatched", "acknowledged", "on_site",
            "resolved", "closed", "cancelled");

    private final DataSource dataSource;
    private final IncidentStore incidents;

    public IncidentApi(DataSource dataSource, IncidentStore incidents) {
        this.dataSource = dataSource;
        this.incidents = incidents;
    }

    /** {@code GET /api/incidents[?status=dispatched][&open=true][&limit=100]}, newest first, within what the caller may see. */
    public Response list(Request req) throws Exception {
        String status = req.queryParam("status");
        if (status != null && !STATUSES.contains(status)) {
            throw HttpError.badRequest("'status' must be one of " + new java.util.TreeSet<>(STATUSES));
        }
        int limit = req.intQueryParam("limit", 100, 1, 1000);
        String open = req.queryParam("open");
        if (open != null && !open.equals("true") && !open.equals("false")) {
            throw HttpError.badRequest("'open' must be true or false");
        }
        Visibility.Filter visible;
        try (Connection c = dataSource.getConnection()) {
            visible = Visibility.of(c, req.principal());
        }
        if (open != null) {
            // open=true: still in the loop (any status but closed and cancelled); status=open is the lifecycle state.
            visible = new Visibility.Filter(visible.condition() + " AND i.is_open = " + open, visible.params());
        }
        return Response.json(200, req.json().writeValueAsBytes(
                Map.of("incidents", incidents.list(dataSource, status, limit, visible))));
    }
}
