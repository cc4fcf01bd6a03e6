package org.communityguard.hub.console;

import java.time.Instant;

/** An incident as a row of the live board (and the data of an {@code incident.opened} event). */
public record BoardIncident(
        long id,
        String type,
        String severity,
        String status,
        String communityId,
        String buildingId,
        String buildingName,
        String grid,
        String deviceId,
        String location,
        Instant occurredAt,
        Instant openedAt,
        String summary) {
}
