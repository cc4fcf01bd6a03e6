package org.communityguard.edge.device;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;

/**
 * One validated device message, as the gateway forwards it to the hub.
 *
 * <p>{@code data} is a Jackson tree because unknown fields must be kept and forwarded
 * unchanged; treat it as read-only once the reading is built.
 *
 * @param receivedAt gateway receive time, epoch milliseconds
 * @param deviceTs   the device's own time, epoch milliseconds, or null when it sent none
 * @param seq        the device's sequence number (0..2^32-1), or null when it sent none
 */
public record Reading(
        String deviceId,
        DeviceType type,
        Kind kind,
        long receivedAt,
        Long deviceTs,
        Long seq,
        Set<Flag> flags,
        ObjectNode data) {

    public Reading {
        flags = Set.copyOf(flags);
    }

    /** Safety events are never dropped by an overflowing buffer and jump a draining backlog. */
    public boolean isSafetyEvent() {
        if (kind != Kind.EVENT) {
            return false;
        }
        String event = data.path("event").asText("");
        return switch (event) {
            case "alarm", "access", "forced_open", "held_open", "tamper", "fault",
                    "cover_opened" -> true;
            default -> false;
        };
    }
}
