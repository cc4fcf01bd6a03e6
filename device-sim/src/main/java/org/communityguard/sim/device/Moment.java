package org.communityguard.sim.device;

import java.time.Instant;
import java.time.LocalTime;

/**
 * When a device samples: {@code now} is its clock (the message {@code ts}), {@code timeOfDay}
 * decides day and night. They are separate so a test can run a night scene with a true clock
 * (a shifted clock would make the gateway flag every reading for clock skew).
 */
public record Moment(Instant now, LocalTime timeOfDay) {
}
