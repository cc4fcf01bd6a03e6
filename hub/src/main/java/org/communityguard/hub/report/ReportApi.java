package org.communityguard.hub.report;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import org.communityguard.hub.api.Fields;
import org.communityguard.hub.api.HttpError;
import org.communityguard.hub.api.Request;
import org.communityguard.hub.api.Response;
import org.communityguard.hub.audit.AuditLog;
import org.communityguard.hub.auth.Principal;
import org.communityguard.hub.incident.Timeline;
import org.communityguard.hub.incident.lifecycle.Visibility;
import org.communityguard.hub.storage.Tx;

/**
 * Resident reports (随手拍) enter the same loop as sensor incidents: each becomes an incident of
 * type {@code REPORT_<CATEGORY>}, opened on its timeline by whoever entered it, then dispatched
 * per the routing table like any other. A resident reports through the app
 * ({@code POST /api/reports}); staff enter a phone call on behalf of a resident who has no
 * smartphone ({@code POST /api/reports/phone}).
 */
public final class ReportApi {

    private static final int MAX_TEXT = 4000;

    private final DataSource dataSource;
    private final Timeline timeline;
    private final AuditLog audit;
    private final Runnable dispatchNow;

    /** @param dispatchNow asks the loop scheduler to dispatch the new incident now rather than at its next poll */
    public ReportApi(DataSource dataSource, Timeline timeline, AuditLog audit, Runnable dispatchNow) {
        this.dataSource = dataSource;
        this.timeline = timeline;
        this.audit = audit;
        this.dispatchNow = dispatchNow;
    }

    private record Place(String communityId, String buildingId, String buildingName) {
    }

    /** The categories residents choose from. */
    public Response categories(Request req) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT category, label, severity FROM report_categories ORDER BY category");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(Map.of("category", rs.getString(1), "label", rs.getString(2), "severity", rs.getString(3)));
            }
        }
        return Response.json(200, req.json().writeValueAsBytes(Map.of("categories", out)));
    }

    /** A registered resident reports: category, text, building (default: their own) or location, optional photo. */
    public Response submit(Request req) throws Exception {
        ReportForm form = ReportForm.parse(req);
        Principal who = req.principal();
        Map<String, Object> created = Tx.run(dataSource, c -> {
            long residentId;
            String community;
            String ownBuilding;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, community_id, building_id FROM residents WHERE username = ?")) {
                ps.setString(1, who.username());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw HttpError.forbidden("account " + who.username() + " is not a registered resident");
                    }
                    residentId = rs.getLong(1);
                    community = rs.getString(2);
                    ownBuilding = rs.getString(3);
                }
            }
            String building = form.optional("building", 64);
            String location = form.optional("location", 200);
            // Most reports are about the resident's own building; another one is named explicitly.
            Place place = place(c, community, building == null ? ownBuilding : building);
            return create(c, form, place, location, "app", residentId, null, null, who.username());
        });
        dispatchNow.run();
        return Response.json(201, req.json().writeValueAsBytes(created));
    }

    /**
     * Staff enter a phone report for a resident: a registered one ({@code resident_id}) or a
     * caller by name and phone. Building or location is required.
     */
    public Response phone(Request req) throws Exception {
        ReportForm form = ReportForm.parse(req);
        Principal who = req.principal();
        Map<String, Object> created = Tx.run(dataSource, c -> {
            String residentText = form.optional("resident_id", 20);
            Long residentId = null;
            String community = form.optional("community", 64);
            String callerName = form.optional("caller_name", 200);
            String callerPhone = form.optional("caller_phone", 40);
            if (residentText != null) {
                try {
                    residentId = Long.parseLong(residentText);
                } catch (NumberFormatException e) {
                    throw HttpError.badRequest("'resident_id' must be a number");
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT community_id FROM residents WHERE id = ?")) {
                    ps.setLong(1, residentId);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw HttpError.badRequest("no resident " + residentId);
                        }
                        community = rs.getString(1);
                    }
                }
            } else if (callerName == null) {
                throw HttpError.badRequest("give 'resident_id' of a registered resident, or 'caller_name' (and 'caller_phone')");
            }
            String building = form.optional("building", 64);
            String location = form.optional("location", 200);
            if (building == null && location == null) {
                throw HttpError.badRequest("give 'building' or 'location'");
            }
            Place place = place(c, community, building);
            return create(c, form, place, location, "phone", residentId, callerName, callerPhone, who.username());
        });
        dispatchNow.run();
        return Response.json(201, req.json().writeValueAsBytes(created));
    }

    /** The photo, to staff and to the reporting resident, with its checked type. Personal data: audited. */
    public Response photo(Request req) throws Exception {
        long id = Fields.pathId(req, "id", "report");
        Principal who = req.principal();
        return Tx.run(dataSource, c -> {
            Visibility.Filter filter = Visibility.of(c, who);
            try (PreparedStatement ps = c.prepareStatement("SELECT p.content_type, p.bytes FROM reports r"
                    + " JOIN incidents i ON i.id = r.incident_id JOIN report_photos p ON p.sha256 = r.photo_sha256"
                    + " WHERE r.id = ? AND " + filter.condition())) {
                ps.setLong(1, id);
                filter.bind(ps, 2);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw HttpError.notFound("no photo for report " + id);
                    }
                    audit.record(c, who.username(), "personal_data.read", "report_photo", id, Map.of());
                    // ApiHandler adds X-Content-Type-Options: nosniff to every answer.
                    return new Response(200, rs.getString(1), rs.getBytes(2));
                }
            }
        });
    }

    private Map<String, Object> create(Connection c, ReportForm form, Place place, String location, String channel,
                                       Long residentId, String callerName, String callerPhone, String enteredBy)
            throws SQLException {
        String category = form.required("category", 64).toLowerCase(Locale.ROOT);
        String text = form.required("text", MAX_TEXT);
        String label;
        String severity;
        try (PreparedStatement ps = c.prepareStatement("SELECT label, severity FROM report_categories WHERE category = ?")) {
            ps.setString(1, category);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw HttpError.badRequest("unknown category '" + category + "'; GET /api/report-categories lists them");
                }
                label = rs.getString(1);
                severity = rs.getString(2);
            }
        }
        String type = "REPORT_" + category.toUpperCase(Locale.ROOT);
        String summary = "Resident report: " + label
                + (place.buildingName() == null ? "" : " in " + place.buildingName())
                + (location == null ? "" : " (" + location + ")");
        long incidentId;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO incidents (type, severity, community_id, building_id,"
                + " occurred_at, summary, details) VALUES (?, ?, ?, ?, now(), ?, ?::jsonb) RETURNING id")) {
            ps.setString(1, type);
            ps.setString(2, severity);
            ps.setString(3, place.communityId());
            ps.setString(4, place.buildingId());
            ps.setString(5, summary);
            ps.setString(6, "{\"category\": \"" + category + "\", \"channel\": \"" + channel + "\"}");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                incidentId = rs.getLong(1);
            }
        }
        if (form.photo() != null) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO report_photos (sha256, content_type, bytes)"
                    + " VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING")) {
                ps.setBytes(1, form.photo().sha256());
                ps.setString(2, form.photo().contentType());
                ps.setBytes(3, form.photo().bytes());
                ps.executeUpdate();
            }
        }
        long reportId;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO reports (incident_id, category, text, location, channel,"
                + " resident_id, caller_name, caller_phone, entered_by, photo_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " RETURNING id")) {
            ps.setLong(1, incidentId);
            ps.setString(2, category);
            ps.setString(3, text);
            ps.setString(4, location);
            ps.setString(5, channel);
            ps.setObject(6, residentId);
            ps.setString(7, callerName);
            ps.setString(8, callerPhone);
            ps.setString(9, enteredBy);
            ps.setBytes(10, form.photo() == null ? null : form.photo().sha256());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                reportId = rs.getLong(1);
            }
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("report_id", reportId);
        details.put("category", category);
        details.put("channel", channel);
        if ("phone".equals(channel)) {
            details.put("on_behalf_of", residentId != null ? "resident " + residentId : "caller");
        }
        timeline.append(c, incidentId, enteredBy, "opened", details);
        audit.record(c, enteredBy, "report." + channel, "incident", incidentId, details);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("report_id", reportId);
        out.put("incident_id", incidentId);
        out.put("type", type);
        out.put("severity", severity);
        out.put("photo", form.photo() == null ? null : form.photo().contentType());
        return out;
    }

    /** The building in the community (the only one with that id when no community is given). */
    private static Place place(Connection c, String community, String building) throws SQLException {
        if (building == null) {
            return new Place(community, null, null);
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT community_id, id, name FROM buildings"
                + " WHERE id = ? AND (?::text IS NULL OR community_id = ?) LIMIT 2")) {
            ps.setString(1, building);
            ps.setString(2, community);
            ps.setString(3, community);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw HttpError.badRequest("no building '" + building + "'" + (community == null ? "" : " in " + community));
                }
                Place p = new Place(rs.getString(1), rs.getString(2), rs.getString(3));
                if (rs.next()) {
                    throw HttpError.badRequest("building '" + building + "' exists in several communities: give 'community'");
                }
                return p;
            }
        }
    }
}
