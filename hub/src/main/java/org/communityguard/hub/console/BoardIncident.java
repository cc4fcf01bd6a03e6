package org.communityguard.hub.console;

import java.time.Instant;

/**
 * An incident as a row of the live board (and the data of an {@code incident.opened} or
 * {@code incident.updated} event).
 *
 * @param grid       the grid it was dispatched to, else its building's grid
 * @param department where it was dispatched, or null before the first dispatch
 * @param responder  who responds, or null
 * @param nextStep   the earliest SLA step not met yet ({@code acknowledge}, {@code on_site},
 *                   {@code resolve}), null when none is pending (not dispatched yet, resolved, closed)
 * @param dueAt      when {@code nextStep} is due; the board counts down to it
 */
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
        String summary,
        String department,
        String responder,
        String nextStep,
        Instant dueAt) {
}
