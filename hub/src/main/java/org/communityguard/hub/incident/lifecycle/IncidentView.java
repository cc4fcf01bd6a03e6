package org.communityguard.hub.incident.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * One incident as {@code GET /api/incidents/{id}} shows it: what happened, where it was
 * dispatched, every step of its timeline, its SLA deadlines, the resident report behind it,
 * the notifications sent about it, and the actions ({@code POST /api/incidents/{id}/<action>})
 * the caller may take now: the transition table's rows for its status and the caller's role.
 */
public record IncidentView(
        long id, String type, String severity, String status, String communityId, String buildingId,
        String buildingName, String deviceId, String location, String gatewayId, Instant occurredAt,
        Instant openedAt, String summary, JsonNode details,
        String grid, String department, String responder,
        List<Entry> timeline, List<Deadline> deadlines, Report report, List<Sent> notifications,
        List<String> actions) {

    public record Entry(Instant at, String actor, String action, JsonNode details) {
    }

    /** @param level escalations so far (0: none); overdue when not met and past due */
    public record Deadline(String step, Instant dueAt, Instant metAt, int level, boolean overdue) {
    }

    /**
     * @param reporter the resident or caller (personal data: staff only, each read audited); null otherwise
     * @param photoUrl where staff (and the reporting resident) get the photo, when there is one
     */
    public record Report(long id, String category, String text, String location, String channel,
                         Reporter reporter, String enteredBy, String photoUrl, Instant createdAt) {
    }

    public record Reporter(Long residentId, String name, String phone) {
    }

    /** @param recipient null for residents' alerts (their numbers are not shown here) */
    public record Sent(String event, String channel, String recipient, String status, int attempts) {
    }
}
