package org.communityguard.hub.incident;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * An incident as the API and console show it.
 *
 * @param groupId the group of related incidents (same building, close in time), or null
 */
public record Incident(
        long id,
        String type,
        String severity,
        String status,
        String communityId,
        String buildingId,
        String buildingName,
        String deviceId,
        String location,
        String gatewayId,
        Instant occurredAt,
        Instant openedAt,
        String summary,
        JsonNode details,
        Long groupId) {
}
