package org.communityguard.sim.bench.gateways;

import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * When a small gateway's readings fall due: each of its devices reports once a period (a reading
 * a minute, say), each at its own phase, as devices switched on at random moments do. Reading
 * {@code k} of the gateway (from 0) is device {@code k % devices}'s reading number
 * {@code k / devices}; the devices' phases are sorted, so the gateway's readings are due in the
 * order of k. Pure arithmetic on nanoTime values, no clock of its own.
 */
final class ReadingSchedule {

    private final long startNanos;
    private final long periodNanos;
    /** Each device's offset into the period, ascending, each in [0, period). */
    private final long[] phases;

    ReadingSchedule(long startNanos, long periodNanos, long[] phases) {
        if (periodNanos <= 0 || phases.length == 0) {
            throw new IllegalArgumentException("a period above 0 and at least one device");
        }
        this.startNanos = startNanos;
        this.periodNanos = periodNanos;
        this.phases = phases.clone();
        Arrays.sort(this.phases);
        if (this.phases[0] < 0 || this.phases[this.phases.length - 1] >= periodNanos) {
            throw new IllegalArgumentException("phases must lie in [0, period)");
        }
    }

    /** {@code devices} devices at phases drawn uniformly from the period. */
    static ReadingSchedule random(long startNanos, Duration period, int devices, SplittableRandom random) {
        long[] phases = new long[devices];
        for (int i = 0; i < devices; i++) {
            phases[i] = random.nextLong(period.toNanos());
        }
        return new ReadingSchedule(startNanos, period.toNanos(), phases);
    }

    /** When the gateway's reading {@code k} (from 0) falls due. */
    long dueNanos(long k) {
        return startNanos + k / phases.length * periodNanos + phases[(int) (k % phases.length)];
    }

    /** How many of the gateway's readings are due at {@code nowNanos} (due at or before it). */
    long dueBy(long nowNanos) {
        if (nowNanos < startNanos) {
            return 0;
        }
        long t = nowNanos - startNanos;
        long inPeriod = t % periodNanos;
        // Phases at or before inPeriod: the insertion point past any equal ones.
        int index = Arrays.binarySearch(phases, inPeriod);
        int done;
        if (index >= 0) {
            while (index + 1 < phases.length && phases[index + 1] == inPeriod) {
                index++;
            }
            done = index + 1;
        } else {
            done = -index - 1;
        }
        return t / periodNanos * phases.length + done;
    }

    /**
     * When a gateway that has sealed its first {@code taken} readings seals the next batch:
     * {@code lingerNanos} after the next reading falls due. The batch holds every reading due by
     * then ({@link #dueBy} of that time, less {@code taken}): one, or a few when devices report close together.
     */
    long nextSealNanos(long taken, long lingerNanos) {
        return dueNanos(taken) + lingerNanos;
    }

    int devices() {
        return phases.length;
    }
}
