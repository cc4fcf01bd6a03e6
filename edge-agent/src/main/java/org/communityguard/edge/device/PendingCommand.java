package org.communityguard.edge.device;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A command queued for a device and not acknowledged yet.
 *
 * @param body     the JSON the device receives, {@code cmd} and {@code id} included; read-only
 * @param queuedAt epoch milliseconds
 */
public record PendingCommand(String id, String deviceId, String cmd, ObjectNode body, long queuedAt) {
}
