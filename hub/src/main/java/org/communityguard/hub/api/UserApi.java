package org.communityguard.hub.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.communityguard.hub.audit.AuditLog;
import org.communityguard.hub.auth.Passwords;
import org.communityguard.hub.auth.Role;
import org.communityguard.hub.storage.Tx;

/**
 * Staff accounts, for the admin: {@code POST /api/users} creates one with a role and where they
 * work (grid, department) and how to reach them; {@code GET /api/users} lists them (contact
 * details are personal data: the read is audited). Residents' accounts come with
 * {@code POST /api/residents}.
 */
public final class UserApi {

    private final DataSource dataSource;
    private final AuditLog audit;

    public UserApi(DataSource dataSource, AuditLog audit) {
        this.dataSource = dataSource;
        this.audit = audit;
    }

    public record User(String username, String role, String displayName, String grid, String department, String email,
                       String phone) {
    }

    public Response create(Request req) throws Exception {
        JsonNode body = req.jsonBody();
        String username = req.requiredText(body, "username", 64);
        if (!username.matches("[A-Za-z0-9._-]{1,64}")) {
            throw HttpError.badRequest("'username' must be 1-64 characters of A-Z a-z 0-9 . _ -");
        }
        String password = req.requiredText(body, "password", 256);
        if (password.length() < 8) {
            throw HttpError.badRequest("'password' must have 8 or more characters");
        }
        String roleName = req.requiredText(body, "role", 32);
        Role role = Role.fromWireName(roleName).filter(r -> r != Role.RESIDENT)
                .orElseThrow(() -> HttpError.badRequest("'role' must be one of admin, property_manager, grid_worker,"
                        + " supervisor, auditor (residents: POST /api/residents)"));
        User user = new User(username, role.wireName(), Fields.optionalText(body, "display_name", 200),
                Fields.optionalText(body, "grid", 64), Fields.optionalText(body, "department", 64),
                Fields.optionalText(body, "email", 200), Fields.optionalText(body, "phone", 40));
        String hash = Passwords.hash(password);
        Tx.run(dataSource, c -> {
            if (user.department() != null) {
                try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM departments WHERE id = ?")) {
                    ps.setString(1, user.department());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw HttpError.badRequest("no department '" + user.department() + "'");
                        }
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO users (username, password_hash, role, display_name,"
                    + " grid, department, email, phone) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (username) DO NOTHING")) {
                ps.setString(1, user.username());
                ps.setString(2, hash);
                ps.setString(3, user.role());
                ps.setString(4, user.displayName());
                ps.setString(5, user.grid());
                ps.setString(6, user.department());
                ps.setString(7, user.email());
                ps.setString(8, user.phone());
                if (ps.executeUpdate() == 0) {
                    throw new HttpError(409, "user name '" + username + "' is taken");
                }
            }
            audit.record(c, req.principal().username(), "user.create", "user", username,
                    Map.of("role", user.role(), "grid", String.valueOf(user.grid()), "department", String.valueOf(user.department())));
            return null;
        });
        return Response.json(201, req.json().writeValueAsBytes(user));
    }

    public Response list(Request req) throws Exception {
        List<User> users = Tx.run(dataSource, c -> {
            List<User> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT username, role, display_name, grid, department, email,"
                    + " phone FROM users WHERE role <> 'resident' ORDER BY username");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new User(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getString(6), rs.getString(7)));
                }
            }
            audit.record(c, req.principal().username(), "personal_data.read", "users", null,
                    Map.of("fields", List.of("email", "phone")));
            return out;
        });
        return Response.json(200, req.json().writeValueAsBytes(Map.of("users", users)));
    }
}
