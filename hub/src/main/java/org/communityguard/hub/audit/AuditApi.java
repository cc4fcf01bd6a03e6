package org.communityguard.hub.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import com.fasterxml.jackson.databind.JsonNode;
import org.communityguard.hub.api.HttpError;
import org.communityguard.hub.api.Request;
import org.communityguard.hub.api.Response;

/** {@code GET /api/audit[?actor=][&action=][&before=<time>][&limit=]}: the audit log, newest first, for auditors. */
public final class AuditApi {

    private final DataSource dataSource;

    public AuditApi(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public record Entry(long id, Instant at, String actor, String action, String subjectType, String subjectId,
                        JsonNode details) {
    }

    public Response list(Request req) throws Exception {
        String actor = req.queryParam("actor");
        String action = req.queryParam("action");
        Instant before;
        try {
            before = req.queryParam("before") == null ? null : Instant.parse(req.queryParam("before"));
        } catch (DateTimeParseException e) {
            throw HttpError.badRequest("'before' must be a UTC time like 2026-03-01T08:00:00Z");
        }
        int limit = req.intQueryParam("limit", 100, 1, 1000);
        List<Entry> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT id, at, actor, action, subject_type, subject_id, details::text FROM audit_log"
                        + " WHERE (?::text IS NULL OR actor = ?) AND (?::text IS NULL OR action = ?)"
                        + " AND (?::timestamptz IS NULL OR at < ?) ORDER BY id DESC LIMIT ?")) {
            ps.setString(1, actor);
            ps.setString(2, actor);
            ps.setString(3, action);
            ps.setString(4, action);
            ps.setTimestamp(5, before == null ? null : Timestamp.from(before));
            ps.setTimestamp(6, before == null ? null : Timestamp.from(before));
            ps.setInt(7, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Entry(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), req.json().readTree(rs.getString(7))));
                }
            }
        }
        return Response.json(200, req.json().writeValueAsBytes(Map.of("entries", out)));
    }
}
