package org.communityguard.hub.escalation;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.communityguard.hub.api.Fields;
import org.communityguard.hub.api.HttpError;
import org.communityguard.hub.api.Request;
import org.communityguard.hub.api.Response;
import org.communityguard.hub.audit.AuditLog;
import org.communityguard.hub.storage.Tx;

/**
 * SLA policies (the console's SLA page). A change applies to incidents dispatched (or
 * reopened) after it: an incident's deadlines are fixed when they are armed.
 */
public final class SlaApi {

    private static final Set<String> SEVERITIES = Set.of("critical", "major", "minor", "info");
    /** Thirty days: longer is not a deadline anyone will be held to. */
    private static final int MAX_S = 30 * 24 * 3600;

    private final DataSource dataSource;
    private final SlaPolicies policies;
    private final AuditLog audit;

    public SlaApi(DataSource dataSource, SlaPolicies policies, AuditLog audit) {
        this.dataSource = dataSource;
        this.policies = policies;
        this.audit = audit;
    }

    public Response list(Request req) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            return Response.json(200, req.json().writeValueAsBytes(Map.of("policies", policies.all(c))));
        }
    }

    /** {@code PUT /api/slas/{severity}} {@code {"acknowledge_s", "on_site_s", "resolve_s"}}, seconds from opening. */
    public Response put(Request req) throws Exception {
        String severity = req.pathParams().get("severity");
        if (!SEVERITIES.contains(severity)) {
            throw HttpError.notFound("no severity '" + severity + "'; one of critical, major, minor, info");
        }
        JsonNode body = req.jsonBody();
        int ack = Fields.integer(body, "acknowledge_s", 1, MAX_S, true);
        int onSite = Fields.integer(body, "on_site_s", 1, MAX_S, true);
        int resolve = Fields.integer(body, "resolve_s", 1, MAX_S, true);
        if (!(ack <= onSite && onSite <= resolve)) {
            throw HttpError.badRequest("deadlines must be in loop order: acknowledge_s <= on_site_s <= resolve_s");
        }
        SlaPolicy saved = Tx.run(dataSource, c -> {
            SlaPolicy p = policies.put(c, severity, ack, onSite, resolve, req.principal().username());
            audit.record(c, req.principal().username(), "sla.put", "sla_policy", severity,
                    Map.of("acknowledge_s", ack, "on_site_s", onSite, "resolve_s", resolve));
            return p;
        });
        return Response.json(200, req.json().writeValueAsBytes(saved));
    }
}
