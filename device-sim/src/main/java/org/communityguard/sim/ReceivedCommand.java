package org.communityguard.sim;

import org.communityguard.sim.device.Command;

import java.time.Instant;

/**
 * A command a device received, recorded once per (device, command id): a gateway that repeats a
 * pending command until it sees the acknowledgement does not create a second record.
 *
 * @param applied whether the device understood and applied it (and so acknowledged it)
 */
public record ReceivedCommand(String deviceId, Command command, Instant receivedAt, boolean applied) {
}
