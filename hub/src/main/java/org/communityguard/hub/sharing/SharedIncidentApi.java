package org.communityguard.hub.sharing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.communityguard.hub.api.CsvWriter;
import org.communityguard.hub.api.HttpError;
import org.communityguard.hub.api.Request;
import org.communityguard.hub.api.Response;
import org.communityguard.hub.incident.lifecycle.Action;
import org.communityguard.hub.incident.lifecycle.Status;

/**
 * Incidents for other systems (docs/data-sharing.md), from an allow-list of columns, so a field
 * added to the console's incident later does not leak here by itself:
 * <ul>
 *   <li>{@code GET /api/shared/incidents[?status=][&open=][&from=][&to=][&limit=]} and
 *       {@code GET /api/shared/incidents/{id}} (scope {@code incidents:read}, e.g. the fire
 *       brigade): what, where (building, grid, the device and its registered place), who handles
 *       it (department) and when each step was taken; the detail adds the timeline as time and
 *       step only;</li>
 *   <li>{@code GET /api/open/incidents?from=&to=&format=csv|json} (scope {@code opendata:read}):
 *       the open-data export, fewer columns still.</li>
 * </ul>
 * Never here: the summary (a resident report's summary holds the resident's own words for the
 * place), the evidence (readings: a door-access event carries a card's pseudonym), the report
 * (reporter's name, phone, text, photo), notifications (addresses), the responder and the
 * timeline's actors (staff accounts) and the timeline's details (notes, reasons: free text).
 */
public final class SharedIncidentApi {

    static final int MAX_LIST = 1000;
    static final Duration EXPORT_SPAN = Duration.ofDays(30);
    static final Duration EXPORT_MAX_SPAN = Duration.ofDays(366);
    static final int EXPORT_MAX_ROWS = 100_000;

    // When each step was first (acknowledged, on site) or last (resolved, closed: after a reopen,
    // the latest) taken, from the timeline; one lateral pass over the incident's entries.
    private static final String SELECT = """
            SELECT i.id, i.type, i.severity, i.status, i.community_id, i.building_id, b.name, coalesce(i.grid, b.grid),
                   i.department, i.device_id, d.type, d.location, i.occurred_at, i.opened_at,
                   tl.acknowledged, tl.on_site, tl.resolved, tl.closed
            FROM incidents i
            LEFT JOIN devices d ON d.id = i.device_id
            LEFT JOIN buildings b ON b.community_id = i.community_id AND b.id = i.building_id
            LEFT JOIN LATERAL (
                SELECT min(t.at) FILTER (WHERE t.action = '%s') AS acknowledged,
                       min(t.at) FILTER (WHERE t.action = '%s') AS on_site,
                       max(t.at) FILTER (WHERE t.action = '%s') AS resolved,
                       max(t.at) FILTER (WHERE t.action = '%s') AS closed
                FROM incident_timeline t WHERE t.incident_id = i.id) tl ON TRUE
            """.formatted(Action.ACKNOWLEDGE.timelineAction(), Action.CHECK_IN.timelineAction(),
            Action.RESOLVE.timelineAction(), Action.CLOSE.timelineAction());

    /** An incident as {@code incidents:read} shows it. */
    public record SharedIncident(long id, String type, String severity, String status, String communityId,
                                 String buildingId, String buildingName, String grid, String department, String deviceId,
                                 String deviceType, String location, Instant occurredAt, Instant openedAt,
                                 Instant acknowledgedAt, Instant onSiteAt, Instant resolvedAt, Instant closedAt) {
    }

    /** An incident as the open-data export shows it. */
    public record OpenIncident(long id, String type, String severity, String status, String communityId,
                               String buildingId, String grid, Instant openedAt, Instant acknowledgedAt,
                               Instant resolvedAt, Instant closedAt) {

        static OpenIncident of(SharedIncident i) {
            return new OpenIncident(i.id(), i.type(), i.severity(), i.status(), i.communityId(), i.buildingId(), i.grid(),
                    i.openedAt(), i.acknowledgedAt(), i.resolvedAt(), i.closedAt());
        }
    }

    /** One step of a shared timeline: when, and which ({@code opened}, {@code dispatched}, ...). */
    public record Step(Instant at, String action) {
    }

    static final List<String> CSV_COLUMNS = List.of("id", "type", "severity", "status", "community_id", "building_id",
            "grid", "opened_at", "acknowledged_at", "resolved_at", "closed_at");

    private final DataSource dataSource;

    public SharedIncidentApi(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Response list(Request req) throws Exception {
        List<String> conditions = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        String status = req.queryParam("status");
        if (status != null) {
            if (Status.fromWireName(status).isEmpty()) {
                throw HttpError.badRequest("'status' must be one of open, dispatched, acknowledged, on_site, resolved,"
                        + " closed, cancelled");
            }
            conditions.add("i.status = ?");
            params.add(status);
        }
        String open = req.queryParam("open");
        if (open != null) {
            if (!open.equals("true") && !open.equals("false")) {
                throw HttpError.badRequest("'open' must be true or false");
            }
            conditions.add("i.is_open = ?");
            params.add(Boolean.parseBoolean(open));
        }
        Instant from = req.timeParam("from", null);
        if (from != null) {
            conditions.add("i.opened_at >= ?");
            params.add(Timestamp.from(from));
        }
        Instant to = req.timeParam("to", null);
        if (to != null) {
            conditions.add("i.opened_at < ?");
            params.add(Timestamp.from(to));
        }
        int limit = req.intQueryParam("limit", 100, 1, MAX_LIST);
        List<SharedIncident> incidents = query(conditions, params, "i.opened_at DESC, i.id DESC", limit);
        return Response.json(200, req.json().writeValueAsBytes(Map.of("incidents", incidents)));
    }

    public Response get(Request req) throws Exception {
        long id;
        try {
            id = Long.parseLong(req.pathParams().get("id"));
        } catch (NumberFormatException e) {
            throw HttpError.badRequest("an incident id is a number");
        }
        List<SharedIncident> found = query(List.of("i.id = ?"), List.of(id), "i.id", 1);
        if (found.isEmpty()) {
            throw HttpError.notFound("no incident " + id);
        }
        List<Step> timeline = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT at, action FROM incident_timeline WHERE incident_id = ? ORDER BY seq")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    timeline.add(new Step(rs.getTimestamp(1).toInstant(), rs.getString(2)));
                }
            }
        }
        ObjectNode body = req.json().valueToTree(found.get(0));
        body.set("timeline", req.json().valueToTree(timeline));
        return Response.json(200, req.json().writeValueAsBytes(body));
    }

    /** The open-data export: incidents opened in the period, oldest first. */
    public Response export(Request req) throws Exception {
        boolean csv = req.wantsCsv();
        Export.Period period = Export.period(req, EXPORT_SPAN, EXPORT_MAX_SPAN);
        List<SharedIncident> rows = query(List.of("i.opened_at >= ?", "i.opened_at < ?"),
                List.of(Timestamp.from(period.from()), Timestamp.from(period.to())), "i.opened_at, i.id", EXPORT_MAX_ROWS + 1);
        if (rows.size() > EXPORT_MAX_ROWS) {
            throw HttpError.badRequest("more than " + EXPORT_MAX_ROWS + " incidents were opened in the period; ask for a"
                    + " shorter one");
        }
        List<OpenIncident> open = rows.stream().map(OpenIncident::of).toList();
        if (!csv) {
            return Response.json(200, req.json().writeValueAsBytes(Map.of("from", period.from(), "to", period.to(),
                    "incidents", open)));
        }
        CsvWriter out = new CsvWriter().row(CSV_COLUMNS);
        for (OpenIncident i : open) {
            out.row(Arrays.asList(Long.toString(i.id()), CsvWriter.text(i.type()), CsvWriter.text(i.severity()),
                    CsvWriter.text(i.status()), CsvWriter.text(i.communityId()), CsvWriter.text(i.buildingId()),
                    CsvWriter.text(i.grid()),
                    Export.time(i.openedAt()), Export.time(i.acknowledgedAt()), Export.time(i.resolvedAt()),
                    Export.time(i.closedAt())));
        }
        return Export.csv(period.fileName("incidents"), out);
    }

    private List<SharedIncident> query(List<String> conditions, List<?> params, String order, int limit)
            throws SQLException {
        String sql = SELECT + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions))
                + " ORDER BY " + order + " LIMIT ?";
        List<SharedIncident> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            for (Object p : params) {
                ps.setObject(i++, p);
            }
            ps.setInt(i, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new SharedIncident(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9),
                            rs.getString(10), rs.getString(11), rs.getString(12), instant(rs, 13), instant(rs, 14),
                            instant(rs, 15), instant(rs, 16), instant(rs, 17), instant(rs, 18)));
                }
            }
        }
        return out;
    }

    static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
