package org.communityguard.edge.device;

/**
 * The {@link Fingerprint}s of one device's most recent readings, newest overwriting oldest: what
 * a copy is recognized by. Each entry also keeps when its reading arrived and whether it carried
 * a device time to go by ("timed"); an untimed entry only stands for copies arriving within the
 * copy window (see {@link DeviceMemory}).
 *
 * <p>It starts with {@value #INITIAL} entries and doubles, up to {@value #MAX}, when {@link
 * DeviceMemory} lets it (a device fast enough to need it, memory to spare): 17 bytes an entry.
 *
 * <p>Not thread-safe: {@link DeviceMemory} guards it.
 */
final class RecentReadings {

    static final int INITIAL = 4;
    /** 100 s at ten a second: a CoAP retry comes up to 45 s after its original (256 let CrashIT store copies). */
    static final int MAX = 1024;

    private long[] fingerprints = new long[INITIAL];
    private long[] arrivals = new long[INITIAL];
    private boolean[] timed = new boolean[INITIAL];
    /** Where the next entry goes; once full, also where the oldest is. */
    private int next;
    private int size;

    int capacity() {
        return fingerprints.length;
    }

    boolean isFull() {
        return size == fingerprints.length;
    }

    /** When the oldest entry's reading arrived; only meaningful when there is one. */
    long oldestArrival() {
        return arrivals[isFull() ? next : 0];
    }

    /**
     * Whether a reading with this fingerprint is here: a timed one whenever it arrived, an untimed
     * one only if it arrived at {@code untimedSince} or later.
     */
    boolean contains(long fingerprint, long untimedSince) {
        for (int i = 0; i < size; i++) {
            if (fingerprints[i] == fingerprint && (timed[i] || arrivals[i] >= untimedSince)) {
                return true;
            }
        }
        return false;
    }

    void add(long fingerprint, long arrival, boolean isTimed) {
        fingerprints[next] = fingerprint;
        arrivals[next] = arrival;
        timed[next] = isTimed;
        next = (next + 1) % fingerprints.length;
        size = Math.min(size + 1, fingerprints.length);
    }

    /** Doubles the capacity, keeping every entry (oldest first, so the oldest is still overwritten first). */
    void grow() {
        int capacity = fingerprints.length * 2;
        int oldest = isFull() ? next : 0;
        fingerprints = rotated(fingerprints, oldest, capacity);
        arrivals = rotated(arrivals, oldest, capacity);
        boolean[] t = new boolean[capacity];
        for (int i = 0; i < size; i++) {
            t[i] = timed[(oldest + i) % timed.length];
        }
        timed = t;
        next = size;
    }

    private long[] rotated(long[] values, int oldest, int capacity) {
        long[] out = new long[capacity];
        for (int i = 0; i < size; i++) {
            out[i] = values[(oldest + i) % values.length];
        }
        return out;
    }
}
