package org.communityguard.hub.console;

import java.time.Instant;

/**
 * A device on the site plan: where it is, when it was last heard from, its battery and signal
 * (from its latest telemetry), its open incidents, and the {@link DeviceState} word.
 *
 * @param placed      {@code site_file} or {@code auto} ({@link PlanLayout})
 * @param lastKind    kind of the latest reading: telemetry, event or status
 */
public record DeviceView(
        String id,
        String communityId,
        String type,
        String buildingId,
        String buildingName,
        String location,
        String gatewayId,
        int intervalS,
        boolean provisioned,
        double x,
        double y,
        String placed,
        Instant lastSeen,
        String lastKind,
        Double batteryPct,
        Double rssiDbm,
        int openIncidents,
        String worstSeverity,
        String state) {
}
