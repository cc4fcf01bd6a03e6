package org.communityguard.hub.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import javax.sql.DataSource;
import org.communityguard.hub.api.HttpError;
import org.communityguard.hub.api.Request;
import org.communityguard.hub.api.Response;

/**
 * {@code GET /api/incidents/{id}}: one incident (the board row's fields, plus its evidence in
 * {@code details}) with its whole timeline, oldest entry first. Read-only; the incident loop owns
 * the actions.
 */
public final class IncidentDetailApi {

    private final DataSource dataSource;

    public IncidentDetailApi(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Response get(Request req) throws Exception {
        long id;
        try {
            id = Long.parseLong(req.pathParams().get("id"));
        } catch (NumberFormatException e) {
            throw HttpError.badRequest("an incident id is a whole number");
        }
        ObjectMapper json = req.json();
        ObjectNode body;
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + BoardQuery.COLUMNS + ", i.details" + BoardQuery.FROM + " WHERE i.id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw HttpError.notFound("no incident " + id);
                    }
                    body = json.valueToTree(BoardQuery.row(rs));
                    body.set("details", json.readTree(rs.getString(BoardQuery.COLUMN_COUNT + 1)));
                }
            }
            ArrayNode timeline = body.putArray("timeline");
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT at, actor, action, details FROM incident_timeline WHERE incident_id = ? ORDER BY at")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ObjectNode entry = timeline.addObject();
                        entry.put("at", rs.getTimestamp(1).toInstant().toString());
                        entry.put("actor", rs.getString(2));
                        entry.put("action", rs.getString(3));
                        JsonNode details = json.readTree(rs.getString(4));
                        entry.set("details", details);
                    }
                }
            }
        }
        return Response.json(200, json.writeValueAsBytes(body));
    }
}
