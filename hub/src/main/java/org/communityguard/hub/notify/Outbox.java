package org.communityguard.hub.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Queues notifications in {@code notification_outbox}, in the caller's transaction: a dispatch
 * or an escalation and its notifications commit together, and {@link NotificationSender} sends
 * them later, off the request and ingest paths. Also answers "who is reached how", using only
 * the channels this hub has configured.
 */
public final class Outbox {

    private final Set<String> channels;
    private final String hubWebhook;
    private final ObjectMapper json;

    /**
     * @param channels   names of the configured channels (only those get rows)
     * @param hubWebhook URL told about every dispatch and escalation (the street office's system), or empty
     */
    public Outbox(Set<String> channels, String hubWebhook, ObjectMapper json) {
        this.channels = Set.copyOf(channels);
        this.hubWebhook = hubWebhook;
        this.json = json;
    }

    /** Queues one message to each recipient, at the start of the escalation chain; returns how many rows were queued. */
    public int enqueue(Connection c, Long incidentId, String event, Collection<Recipient> to, String subject,
                       String body, Map<String, ?> payload) throws SQLException {
        return enqueue(c, incidentId, event, 0, to, subject, body, payload);
    }

    /**
     * Queues one message to each recipient; returns how many rows were queued.
     *
     * @param level the recipients' place in the escalation chain ({@code Escalator.CHAIN}; 0: responder,
     *              department, residents): a notification that cannot be delivered is escalated to the next
     */
    public int enqueue(Connection c, Long incidentId, String event, int level, Collection<Recipient> to, String subject,
                       String body, Map<String, ?> payload) throws SQLException {
        Set<Recipient> distinct = new LinkedHashSet<>(to);
        distinct.removeIf(r -> !channels.contains(r.channel()));
        if (distinct.isEmpty()) {
            return 0;
        }
        String payloadJson;
        try {
            payloadJson = json.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("notification payloads are plain maps", e);
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO notification_outbox"
                + " (incident_id, event, channel, recipient, subject, body, payload, level)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?)")) {
            for (Recipient r : distinct) {
                if (incidentId == null) {
                    ps.setNull(1, java.sql.Types.BIGINT);
                } else {
                    ps.setLong(1, incidentId);
                }
                ps.setString(2, event);
                ps.setString(3, r.channel());
                ps.setString(4, r.address());
                ps.setString(5, subject);
                ps.setString(6, body);
                ps.setString(7, payloadJson);
                ps.setInt(8, level);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        return distinct.size();
    }

    /** The hub-wide webhook, when one is configured. */
    public List<Recipient> hub() {
        return hubWebhook.isEmpty() ? List.of() : List.of(new Recipient("webhook", hubWebhook));
    }

    /** Each user's e-mail and phone (SMS), as far as they are set. */
    public List<Recipient> users(Connection c, Collection<String> usernames) throws SQLException {
        List<Recipient> out = new ArrayList<>();
        if (usernames.isEmpty()) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT email, phone FROM users WHERE username = ANY (?) ORDER BY username")) {
            ps.setArray(1, c.createArrayOf("text", usernames.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    addIfSet(out, "email", rs.getString(1));
                    addIfSet(out, "sms", rs.getString(2));
                }
            }
        }
        return out;
    }

    /** A department's own e-mail and webhook, as far as they are set. */
    public List<Recipient> department(Connection c, String department) throws SQLException {
        List<Recipient> out = new ArrayList<>();
        if (department == null) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT email, webhook_url FROM departments WHERE id = ?")) {
            ps.setString(1, department);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    addIfSet(out, "email", rs.getString(1));
                    addIfSet(out, "webhook", rs.getString(2));
                }
            }
        }
        return out;
    }

    /** The registered residents of a building, each on the channel they chose. */
    public List<Recipient> residents(Connection c, String communityId, String buildingId) throws SQLException {
        List<Recipient> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT notify_by, phone, email FROM residents"
                + " WHERE community_id = ? AND building_id = ? AND notify_by <> 'none' ORDER BY id")) {
            ps.setString(1, communityId);
            ps.setString(2, buildingId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    addIfSet(out, rs.getString(1), "sms".equals(rs.getString(1)) ? rs.getString(2) : rs.getString(3));
                }
            }
        }
        return out;
    }

    private void addIfSet(List<Recipient> out, String channel, String address) {
        if (address != null && !address.isBlank() && channels.contains(channel)) {
            out.add(new Recipient(channel, address.trim()));
        }
    }
}
