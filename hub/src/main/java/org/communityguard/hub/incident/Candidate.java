package org.communityguard.hub.incident;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A rule's verdict that an incident should be open for a device. Whether one is actually
 * opened is decided by the database: at most one open incident per device and type.
 *
 * @param occurredAt time of the reading that fired the rule, epoch ms
 * @param details    the evidence (the reading's fields), shown with the incident
 */
public record Candidate(
        IncidentType type,
        Severity severity,
        String deviceId,
        String gatewayId,
        long occurredAt,
        String summary,
        ObjectNode details) {
}
