package org.communityguard.hub.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.communityguard.hub.api.Fields;
import org.communityguard.hub.api.HttpError;
import org.communityguard.hub.api.Request;
import org.communityguard.hub.api.Response;
import org.communityguard.hub.audit.AuditLog;
import org.communityguard.hub.auth.Passwords;
import org.communityguard.hub.storage.Tx;

/**
 * Registered residents (name, building, how to reach them), managed by staff. Every read is
 * personal data and is audited with who read what. A resident given a user name and password
 * gets an account with role {@code resident} for the app.
 */
public final class ResidentApi {

    private static final Set<String> NOTIFY_BY = Set.of("sms", "email", "none");

    private final DataSource dataSource;
    private final AuditLog audit;

    public ResidentApi(DataSource dataSource, AuditLog audit) {
        this.dataSource = dataSource;
        this.audit = audit;
    }

    /** A resident as staff see them. */
    public record Resident(long id, String name, String communityId, String buildingId, String phone, String email,
                           String notifyBy, String username, Instant createdAt, String createdBy) {
    }

    public Response create(Request req) throws Exception {
        JsonNode body = req.jsonBody();
        String name = req.requiredText(body, "name", 200);
        String building = req.requiredText(body, "building", 64);
        String community = Fields.optionalText(body, "community", 64);
        String phone = Fields.optionalText(body, "phone", 40);
        String email = Fields.optionalText(body, "email", 200);
        String notifyBy = Fields.optionalText(body, "notify_by", 10);
        notifyBy = notifyBy == null ? (phone != null ? "sms" : email != null ? "email" : "none") : notifyBy;
        if (!NOTIFY_BY.contains(notifyBy)) {
            throw HttpError.badRequest("'notify_by' must be sms, email or none");
        }
        if ("sms".equals(notifyBy) && phone == null || "email".equals(notifyBy) && email == null) {
            throw HttpError.badRequest("'notify_by' is " + notifyBy + " but no " + ("sms".equals(notifyBy) ? "phone" : "email") + " is given");
        }
        String username = Fields.optionalText(body, "username", 64);
        String password = Fields.optionalText(body, "password", 256);
        if ((username == null) != (password == null)) {
            throw HttpError.badRequest("give both 'username' and 'password' for an app account, or neither");
        }
        if (password != null && password.length() < 8) {
            throw HttpError.badRequest("'password' must have 8 or more characters");
        }
        String finalNotifyBy = notifyBy;
        // Hash outside the transaction: Argon2 is slow on purpose.
        String hash = password == null ? null : Passwords.hash(password);
        Resident created = Tx.run(dataSource, c -> {
            String communityId = community(c, community, building);
            if (username != null) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO users (username, password_hash, role, display_name)"
                        + " VALUES (?, ?, 'resident', ?) ON CONFLICT (username) DO NOTHING")) {
                    ps.setString(1, username);
                    ps.setString(2, hash);
                    ps.setString(3, name);
                    if (ps.executeUpdate() == 0) {
                        throw new HttpError(409, "user name '" + username + "' is taken");
                    }
                }
            }
            long id;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO residents (name, community_id, building_id, phone,"
                    + " email, notify_by, username, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
                ps.setString(1, name);
                ps.setString(2, communityId);
                ps.setString(3, building);
                ps.setString(4, phone);
                ps.setString(5, email);
                ps.setString(6, finalNotifyBy);
                ps.setString(7, username);
                ps.setString(8, req.principal().username());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            }
            audit.record(c, req.principal().username(), "resident.create", "resident", id,
                    Map.of("building_id", building, "app_account", username != null));
            return find(c, id);
        });
        return Response.json(201, req.json().writeValueAsBytes(created));
    }

    /** {@code GET /api/residents[?building=B1]}: audited as a read of each resident listed. */
    public Response list(Request req) throws Exception {
        String building = req.queryParam("building");
        List<Resident> out = Tx.run(dataSource, c -> {
            List<Resident> found = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE (?::text IS NULL OR building_id = ?) ORDER BY id")) {
                ps.setString(1, building);
                ps.setString(2, building);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found.add(read(rs));
                    }
                }
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("building", building);
            details.put("resident_ids", found.stream().map(Resident::id).toList());
            audit.record(c, req.principal().username(), "personal_data.read", "residents", null, details);
            return found;
        });
        return Response.json(200, req.json().writeValueAsBytes(Map.of("residents", out)));
    }

    public Response get(Request req) throws Exception {
        long id = Fields.pathId(req, "id", "resident");
        Resident r = Tx.run(dataSource, c -> {
            Resident found = find(c, id);
            audit.record(c, req.principal().username(), "personal_data.read", "resident", id, Map.of());
            return found;
        });
        return Response.json(200, req.json().writeValueAsBytes(r));
    }

    private static final String SELECT = "SELECT id, name, community_id, building_id, phone, email, notify_by, username,"
            + " created_at, created_by FROM residents";

    private static Resident find(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw HttpError.notFound("no resident " + id);
                }
                return read(rs);
            }
        }
    }

    private static Resident read(ResultSet rs) throws SQLException {
        return new Resident(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getTimestamp(9).toInstant(), rs.getString(10));
    }

    private static String community(Connection c, String community, String building) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT community_id FROM buildings WHERE id = ?"
                + " AND (?::text IS NULL OR community_id = ?) LIMIT 2")) {
            ps.setString(1, building);
            ps.setString(2, community);
            ps.setString(3, community);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw HttpError.badRequest("no building '" + building + "'");
                }
                String found = rs.getString(1);
                if (rs.next()) {
                    throw HttpError.badRequest("building '" + building + "' exists in several communities: give 'community'");
                }
                return found;
            }
        }
    }
}
