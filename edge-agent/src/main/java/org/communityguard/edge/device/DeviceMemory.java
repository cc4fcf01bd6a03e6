package org.communityguard.edge.device;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the gateway remembers about each device between messages: its recent readings (to know a
 * copy when one comes), the type of its last reading (status messages carry none) and its last
 * status.
 *
 * <h2>Copies, not sequence numbers</h2>
 * Duplicate detection exists for retransmissions of the <em>same</em> message: a CoAP request
 * whose answer was lost, a QoS 1 publish the device or the broker sends again (after the agent
 * restarts, the broker redelivers what the agent had not acknowledged, some of it already in the
 * buffer). A copy repeats the message, so a reading is a duplicate only when this device already
 * sent one with the same {@link Fingerprint}: same seq, same device time, same data. A seq alone
 * proves nothing: a device that restarts its counter (a reboot, a power cut) sends seqs 0, 1, 2
 * ... again, with new times and new data, and those are new readings, alarms among them.
 *
 * <ul>
 * <li><b>A device time to go by</b> ({@code ts}, not flagged for clock skew): the same seq, time
 *     and data is the same message however late it comes (a broker redelivers after an outage).</li>
 * <li><b>No device time</b>, or a skewed one (a clock that starts from the same value at every
 *     boot cannot tell two boots apart): the same seq and data is a copy only within
 *     {@link #UNTIMED_COPY_WINDOW} of the original's arrival: CoAP's exchange lifetime (247 s)
 *     and a restarted agent's redeliveries fit in it; a device that reboots and repeats a reading
 *     exactly within it is the price (it had sent that very reading minutes before).</li>
 * <li><b>No seq</b>: with a device time to go by, the same time and data is a copy; without one,
 *     nothing tells a copy from the same value measured again, so it is never called one (a copy
 *     costs a row at the hub, a wrong guess a reading). A safety event without seq (an alarm) is
 *     never a duplicate: a copy of an alarm costs nothing that the hub's one-open-incident rule
 *     does not absorb.</li>
 * </ul>
 * An unchanged status is a duplicate too (the broker resends retained status messages on every
 * subscribe).
 *
 * <h2>Bounded</h2>
 * The least recently heard devices are forgotten beyond {@code maxDevices}, so a flood of made-up
 * device ids costs memory once, not forever. Each device keeps its last {@value RecentReadings#INITIAL}
 * to {@value RecentReadings#MAX} readings: its list doubles while the reading it would forget
 * arrived within the copy window (a device sending fast) and the total stays within
 * {@code maxFingerprints}, room always kept for the first entries of devices still to come. At the
 * profile's rates (a reading every few seconds or slower) a device needs a few dozen; the sim's
 * load tests (ten a second, CoAP requests retried up to 45 s) need some 450. Every operation
 * is under one lock: a few field reads, or a scan of one device's list.
 */
final class DeviceMemory {

    /** How long a reading without a device time to go by may be followed by a copy. */
    static final Duration UNTIMED_COPY_WINDOW = Duration.ofMinutes(5);
    /** Readings remembered over all devices: about 4.5 MB. */
    static final int MAX_FINGERPRINTS = 262_144;

    private static final long WINDOW_MS = UNTIMED_COPY_WINDOW.toMillis();

    private static final class State {
        RecentReadings recent;
        DeviceType lastType;
        String lastStatus;
    }

    private final int maxDevices;
    private final int maxFingerprints;
    private final Map<String, State> devices;
    /** The capacity of every device's list, summed. */
    private long fingerprints;

    DeviceMemory(int maxDevices) {
        this(maxDevices, Math.max(MAX_FINGERPRINTS, maxDevices * RecentReadings.INITIAL));
    }

    DeviceMemory(int maxDevices, int maxFingerprints) {
        if (maxDevices < 1) {
            throw new IllegalArgumentException("maxDevices must be positive: " + maxDevices);
        }
        if (maxFingerprints < (long) maxDevices * RecentReadings.INITIAL) {
            throw new IllegalArgumentException("maxFingerprints must hold " + RecentReadings.INITIAL + " per device: " + maxFingerprints);
        }
        this.maxDevices = maxDevices;
        this.maxFingerprints = maxFingerprints;
        this.devices = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, State> eldest) {
                if (size() <= maxDevices) {
                    return false;
                }
                RecentReadings gone = eldest.getValue().recent;
                fingerprints -= gone == null ? 0 : gone.capacity();
                return true;
            }
        };
    }

    /**
     * Whether this reading was already accepted: a copy of a recent reading (see above), or a
     * status equal to the last one accepted.
     *
     * @param fingerprint {@link Fingerprint#of} the reading; ignored for status readings
     */
    synchronized boolean isDuplicate(Reading reading, long fingerprint) {
        State state = devices.get(reading.deviceId());
        if (state == null) {
            return false;
        }
        if (reading.kind() == Kind.STATUS) {
            return reading.data().path("status").asText("").equals(state.lastStatus);
        }
        return mayHaveCopies(reading) && state.recent != null
                && state.recent.contains(fingerprint, reading.receivedAt() - WINDOW_MS);
    }

    /** Called once the sink has accepted the reading: a refused reading must stay retryable. */
    synchronized void remember(Reading reading, long fingerprint) {
        State state = devices.computeIfAbsent(reading.deviceId(), id -> new State());
        state.lastType = reading.type();
        if (reading.kind() == Kind.STATUS) {
            state.lastStatus = reading.data().path("status").asText(null);
            return;
        }
        if (!mayHaveCopies(reading)) {
            return;
        }
        RecentReadings recent = state.recent;
        if (recent == null) {
            recent = state.recent = new RecentReadings();
            fingerprints += recent.capacity();
        } else if (recent.isFull() && recent.capacity() < RecentReadings.MAX
                && recent.oldestArrival() > reading.receivedAt() - WINDOW_MS
                && fingerprints + recent.capacity() + (long) (maxDevices - devices.size()) * RecentReadings.INITIAL <= maxFingerprints) {
            fingerprints += recent.capacity();
            recent.grow();
        }
        recent.add(fingerprint, reading.receivedAt(), isTimed(reading));
    }

    /** The type of the last reading accepted from this device, or null. */
    synchronized DeviceType lastType(String deviceId) {
        State state = devices.get(deviceId);
        return state == null ? null : state.lastType;
    }

    /** Readings remembered over all devices (their lists' capacity), for tests. */
    synchronized long fingerprints() {
        return fingerprints;
    }

    /** Devices remembered, for tests. */
    synchronized int devices() {
        return devices.size();
    }

    /** Whether a copy of this reading could be told from a new one at all (see the class comment). */
    static boolean mayHaveCopies(Reading reading) {
        return reading.seq() != null || isTimed(reading) && !reading.isSafetyEvent();
    }

    private static boolean isTimed(Reading reading) {
        return reading.deviceTs() != null && !reading.flags().contains(Flag.CLOCK_SKEW);
    }
}
