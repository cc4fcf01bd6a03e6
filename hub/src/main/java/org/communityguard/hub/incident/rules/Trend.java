package org.communityguard.hub.incident.rules;

import java.util.Arrays;

/**
 * The recent samples of one measurement of one device, oldest first, for a least-squares slope
 * (water rising toward a manhole cover) or a reference reading (temperature rate of rise). Bounded:
 * at most {@code capacity} samples, none older than the window given to {@link #add}.
 */
public final class Trend {

    private final long[] times;
    private final double[] values;
    private int size;

    public Trend(int capacity) {
        times = new long[capacity];
        values = new double[capacity];
    }

    private Trend(Trend other) {
        times = other.times.clone();
        values = other.values.clone();
        size = other.size;
    }

    /**
     * Adds a sample and forgets those more than {@code windowMs} older than it. A sample not newer
     * than the newest one (out of order, or the same reading again) is ignored: false.
     */
    public boolean add(long timeMs, double value, long windowMs) {
        if (size > 0 && timeMs <= times[size - 1]) {
            return false;
        }
        int drop = 0;
        while (drop < size && timeMs - times[drop] > windowMs) {
            drop++;
        }
        if (size - drop == times.length) {
            drop++;
        }
        if (drop > 0) {
            System.arraycopy(times, drop, times, 0, size - drop);
            System.arraycopy(values, drop, values, 0, size - drop);
            size -= drop;
        }
        times[size] = timeMs;
        values[size] = value;
        size++;
        return true;
    }

    public int size() {
        return size;
    }

    /** Least-squares slope in units per minute; NaN with fewer than {@code minSamples} samples. */
    public double slopePerMinute(int minSamples) {
        if (size < Math.max(2, minSamples)) {
            return Double.NaN;
        }
        // Minutes relative to the newest sample keep the sums small and exact enough.
        long t0 = times[size - 1];
        double sumT = 0;
        double sumV = 0;
        for (int i = 0; i < size; i++) {
            sumT += (times[i] - t0) / 60_000.0;
            sumV += values[i];
        }
        double meanT = sumT / size;
        double meanV = sumV / size;
        double num = 0;
        double den = 0;
        for (int i = 0; i < size; i++) {
            double dt = (times[i] - t0) / 60_000.0 - meanT;
            num += dt * (values[i] - meanV);
            den += dt * dt;
        }
        return den == 0 ? Double.NaN : num / den;
    }

    /** Minutes between the oldest and the newest sample. */
    public double spanMinutes() {
        return size < 2 ? 0 : (times[size - 1] - times[0]) / 60_000.0;
    }

    /**
     * The newest sample at least {@code minAgeMs} older than the newest one and at most
     * {@code maxAgeMs} older, as its index, or -1.
     */
    public int reference(long minAgeMs, long maxAgeMs) {
        if (size < 2) {
            return -1;
        }
        long newest = times[size - 1];
        for (int i = size - 2; i >= 0; i--) {
            long age = newest - times[i];
            if (age > maxAgeMs) {
                return -1;
            }
            if (age >= minAgeMs) {
                return i;
            }
        }
        return -1;
    }

    public long time(int index) {
        return times[index];
    }

    public double value(int index) {
        return values[index];
    }

    public long newestTime() {
        return times[size - 1];
    }

    public double newestValue() {
        return values[size - 1];
    }

    public Trend copy() {
        return new Trend(this);
    }

    @Override
    public String toString() {
        return "Trend" + Arrays.toString(Arrays.copyOf(values, size));
    }
}
