package org.communityguard.hub.retention;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import javax.sql.DataSource;
import org.communityguard.hub.api.Request;
import org.communityguard.hub.api.Response;
import org.communityguard.hub.config.HubSettings;

/**
 * {@code GET /api/retention}: how long each kind of data is kept (this hub's settings; they are
 * read-only here, set in the hub's configuration) and the last run that enforced them, by
 * whichever hub ran it (its audit entry).
 */
public final class RetentionApi {

    private final DataSource dataSource;
    private final RetentionPolicy policy;
    private final Duration interval;

    public RetentionApi(DataSource dataSource, RetentionPolicy policy, Duration interval) {
        this.dataSource = dataSource;
        this.policy = policy;
        this.interval = interval;
    }

    public Response get(Request req) throws Exception {
        ObjectNode body = req.json().createObjectNode();
        ArrayNode classes = body.putArray("classes");
        for (DataClass dc : DataClass.values()) {
            Duration keep = policy.keep(dc);
            ObjectNode one = classes.addObject();
            one.put("class", dc.wireName());
            one.put("setting", dc.setting().key());
            one.put("keep", dc.setting().type().format(keep));
            if (keep.isZero()) {
                one.putNull("keep_days");
            } else {
                one.put("keep_days", keep.toDays());
            }
        }
        body.put("interval", HubSettings.RETENTION_INTERVAL.type().format(interval));
        body.putNull("last_run");
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT at, details::text FROM audit_log WHERE action = ? ORDER BY id DESC LIMIT 1")) {
            ps.setString(1, RetentionTask.AUDIT_ACTION);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    var details = req.json().readTree(rs.getString(2));
                    ObjectNode last = body.putObject("last_run");
                    last.put("at", rs.getTimestamp(1).toInstant().toString());
                    last.set("outcome", details.path("outcome"));
                    ObjectNode removed = last.putObject("removed");
                    details.path("classes").fields().forEachRemaining(e -> removed.set(e.getKey(), e.getValue().path("removed")));
                    last.set("errors", details.path("errors"));
                }
            }
        }
        return Response.json(200, req.json().writeValueAsBytes(body));
    }
}
