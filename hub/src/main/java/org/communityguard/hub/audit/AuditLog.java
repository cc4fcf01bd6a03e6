package org.communityguard.hub.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;

/**
 * The audit log (domain brief: "every read of personal data and every incident action is in
 * an audit log"). Written in the caller's transaction, so an action and its audit entry commit
 * or roll back together, and a read of personal data is not answered unless its entry is stored.
 */
public final class AuditLog {

    private final ObjectMapper json;

    public AuditLog(ObjectMapper json) {
        this.json = json;
    }

    public void record(Connection c, String actor, String action, String subjectType, Object subjectId,
                       Map<String, ?> details) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO audit_log (actor, action, subject_type, subject_id, details) VALUES (?, ?, ?, ?, ?::jsonb)")) {
            ps.setString(1, actor);
            ps.setString(2, action);
            ps.setString(3, subjectType);
            ps.setString(4, subjectId == null ? null : subjectId.toString());
            ps.setString(5, json.writeValueAsString(details));
            ps.executeUpdate();
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("audit details must be serializable", e);
        }
    }
}
