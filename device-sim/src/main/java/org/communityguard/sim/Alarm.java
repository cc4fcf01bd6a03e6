package org.communityguard.sim;

/**
 * A smoke detector's alarm as it left the device ({@link Simulation#raiseAlarm}): the seq of the
 * {@code alarm} event and the device's clock when it was sent (the message's {@code ts}).
 */
public record Alarm(String deviceId, long seq, long sentAtMillis) {
}
