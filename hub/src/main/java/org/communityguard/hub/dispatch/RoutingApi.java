package org.communityguard.hub.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.communityguard.hub.api.Fields;
import org.communityguard.hub.api.HttpError;
import org.communityguard.hub.api.Request;
import org.communityguard.hub.api.Response;
import org.communityguard.hub.audit.AuditLog;
import org.communityguard.hub.storage.Tx;

/**
 * The routing table's configuration API (the console's routing page): departments, type ->
 * department rules, and the duty roster. Changes apply to the next dispatch and are audited.
 */
public final class RoutingApi {

    private final DataSource dataSource;
    private final AuditLog audit;

    public RoutingApi(DataSource dataSource, AuditLog audit) {
        this.dataSource = dataSource;
        this.audit = audit;
    }

    public record Department(String id, String name, String email, String webhookUrl) {
    }

    public record Rule(String incidentType, String department) {
    }

    public record Duty(String grid, String department, String username) {
    }

    public record Table(List<Department> departments, List<Rule> rules, List<Duty> duty) {
    }

    public Response get(Request req) throws Exception {
        Table table;
        try (Connection c = dataSource.getConnection()) {
            List<Department> departments = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, name, email, webhook_url FROM departments ORDER BY id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    departments.add(new Department(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                }
            }
            List<Rule> rules = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT incident_type, department FROM routing_rules"
                    + " ORDER BY incident_type = '*' DESC, incident_type");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rules.add(new Rule(rs.getString(1), rs.getString(2)));
                }
            }
            List<Duty> duty = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT grid, department, username FROM duty_roster ORDER BY grid, department");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    duty.add(new Duty(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
            table = new Table(departments, rules, duty);
        }
        return Response.json(200, req.json().writeValueAsBytes(table));
    }

    /** {@code PUT /api/routing/rules/{type}} {@code {"department": "electrical"}}; type {@code *} is the default. */
    public Response putRule(Request req) throws Exception {
        String type = req.pathParams().get("type");
        if (!type.equals("*") && !type.matches("[A-Z][A-Z0-9_]{0,63}")) {
            throw HttpError.badRequest("incident type must be upper case like FIRE or REPORT_LIGHTING, or * for the default");
        }
        String department = req.requiredText(req.jsonBody(), "department", 64);
        Tx.run(dataSource, c -> {
            requireDepartment(c, department);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO routing_rules (incident_type, department) VALUES (?, ?)"
                    + " ON CONFLICT (incident_type) DO UPDATE SET department = excluded.department")) {
                ps.setString(1, type);
                ps.setString(2, department);
                ps.executeUpdate();
            }
            audit.record(c, req.principal().username(), "routing.rule.put", "routing_rule", type, Map.of("department", department));
            return null;
        });
        return get(req);
    }

    public Response deleteRule(Request req) throws Exception {
        String type = req.pathParams().get("type");
        if (type.equals("*")) {
            throw new HttpError(409, "the default rule '*' can be changed, not removed");
        }
        Tx.run(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM routing_rules WHERE incident_type = ?")) {
                ps.setString(1, type);
                if (ps.executeUpdate() == 0) {
                    throw HttpError.notFound("no routing rule for " + type);
                }
            }
            audit.record(c, req.principal().username(), "routing.rule.delete", "routing_rule", type, Map.of());
            return null;
        });
        return get(req);
    }

    /** {@code PUT /api/routing/duty/{grid}/{department}} {@code {"username": "worker-1"}}; grid {@code *}: every grid. */
    public Response putDuty(Request req) throws Exception {
        String grid = req.pathParams().get("grid");
        String department = req.pathParams().get("department");
        String username = req.requiredText(req.jsonBody(), "username", 64);
        Tx.run(dataSource, c -> {
            requireDepartment(c, department);
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM users WHERE username = ?"
                    + " AND role IN ('grid_worker', 'property_manager', 'admin')")) {
                ps.setString(1, username);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw HttpError.badRequest("no staff user '" + username + "' who can respond");
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO duty_roster (grid, department, username) VALUES (?, ?, ?)"
                    + " ON CONFLICT (grid, department) DO UPDATE SET username = excluded.username")) {
                ps.setString(1, grid);
                ps.setString(2, department);
                ps.setString(3, username);
                ps.executeUpdate();
            }
            audit.record(c, req.principal().username(), "routing.duty.put", "duty", grid + "/" + department,
                    Map.of("username", username));
            return null;
        });
        return get(req);
    }

    public Response deleteDuty(Request req) throws Exception {
        String grid = req.pathParams().get("grid");
        String department = req.pathParams().get("department");
        Tx.run(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM duty_roster WHERE grid = ? AND department = ?")) {
                ps.setString(1, grid);
                ps.setString(2, department);
                if (ps.executeUpdate() == 0) {
                    throw HttpError.notFound("nobody is on duty for " + grid + "/" + department);
                }
            }
            audit.record(c, req.principal().username(), "routing.duty.delete", "duty", grid + "/" + department, Map.of());
            return null;
        });
        return get(req);
    }

    /** {@code PUT /api/departments/{id}} {@code {"name", "email", "webhook_url"}}: creates or changes one. */
    public Response putDepartment(Request req) throws Exception {
        String id = req.pathParams().get("id");
        if (!id.matches("[a-z][a-z0-9_-]{0,63}")) {
            throw HttpError.badRequest("department id must be lower case letters, digits, _ or -");
        }
        JsonNode body = req.jsonBody();
        String name = req.requiredText(body, "name", 200);
        String email = Fields.optionalText(body, "email", 200);
        String webhook = Fields.optionalText(body, "webhook_url", 2000);
        if (webhook != null && !webhook.matches("https?://\\S+")) {
            throw HttpError.badRequest("'webhook_url' must be an http or https URL");
        }
        Tx.run(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO departments (id, name, email, webhook_url)"
                    + " VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email,"
                    + " webhook_url = excluded.webhook_url")) {
                ps.setString(1, id);
                ps.setString(2, name);
                ps.setString(3, email);
                ps.setString(4, webhook);
                ps.executeUpdate();
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("name", name);
            details.put("email", email);
            details.put("webhook_url", webhook);
            audit.record(c, req.principal().username(), "department.put", "department", id, details);
            return null;
        });
        return get(req);
    }

    private static void requireDepartment(Connection c, String department) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM departments WHERE id = ?")) {
            ps.setString(1, department);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw HttpError.badRequest("no department '" + department + "'");
                }
            }
        }
    }
}
