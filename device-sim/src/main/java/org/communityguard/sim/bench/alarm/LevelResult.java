package org.communityguard.sim.bench.alarm;

import org.communityguard.sim.bench.HubHistogram;
/**
 * What one background level measured.
 *
 * @param achievedRps background readings the hub stored (acknowledged after its commit) per
 *                    second, over the window the alarms were sent and answered in
 * @param edge        send to the edge agent's answer (the alarm on its disk), of the alarms answered
 * @param hubLane     the hub's safety lane over the level (arrival to commit), bucket bounds
 */
record LevelResult(Level level, double achievedRps, AlarmLedger.Tally tally, Latency latency, Latency edge,
                   HubHistogram.Snapshot hubLane) {

    static LevelResult of(Level level, double achievedRps, AlarmLedger.Tally tally, HubHistogram.Snapshot hubLane) {
        return new LevelResult(level, achievedRps, tally, Latency.of(tally.latencyNanos()), Latency.of(tally.answerNanos()),
                hubLane);
    }

    /** Below this share of the offered rate, the level's background was not reached. */
    static final double REACHED_SHARE = 0.95;

    /** Whether the background was offered and stored at its level; a max level always is. */
    boolean reached() {
        return level.max() || achievedRps >= REACHED_SHARE * level.readingsPerSecond();
    }
}
