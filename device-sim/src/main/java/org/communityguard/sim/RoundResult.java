package org.communityguard.sim;

/**
 * What one {@link Simulation#sendTelemetryRound()} sent and how it ended. {@code unsettled} counts
 * messages still without an outcome when the round stopped waiting.
 */
public record RoundResult(int sent, int acknowledged, int rejected, int failed, int unsettled) {
}
