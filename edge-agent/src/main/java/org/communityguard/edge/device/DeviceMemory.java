package org.communityguard.edge.device;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the gateway remembers about each device between messages: the recent sequence numbers
 * (duplicates), the type of its last reading (status messages carry none) and its last status.
 *
 * <p>Bounded: the least recently heard devices are forgotten beyond {@code maxDevices}, so a
 * flood of made-up device ids costs memory once, not forever. Every operation is O(1) under one
 * lock, held for a few field reads.
 */
final class DeviceMemory {

    private static final class State {
        final SeqWindow seqs = new SeqWindow();
        DeviceType lastType;
        String lastStatus;
    }

    private final Map<String, State> devices;

    DeviceMemory(int maxDevices) {
        if (maxDevices < 1) {
            throw new IllegalArgumentException("maxDevices must be positive: " + maxDevices);
        }
        this.devices = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, State> eldest) {
                return size() > maxDevices;
            }
        };
    }

    /**
     * Whether this reading was already accepted: a repeated {@code seq}, or a status equal to the
     * last one accepted (the broker resends retained status messages on every subscribe). A
     * reading without {@code seq} is never a duplicate.
     */
    synchronized boolean isDuplicate(Reading reading) {
        State state = devices.get(reading.deviceId());
        if (state == null) {
            return false;
        }
        if (reading.kind() == Kind.STATUS) {
            return reading.data().path("status").asText("").equals(state.lastStatus);
        }
        return reading.seq() != null && state.seqs.contains(reading.seq());
    }

    /** Called once the sink has accepted the reading: a refused reading must stay retryable. */
    synchronized void remember(Reading reading) {
        State state = devices.computeIfAbsent(reading.deviceId(), id -> new State());
        state.lastType = reading.type();
        if (reading.kind() == Kind.STATUS) {
            state.lastStatus = reading.data().path("status").asText(null);
        } else if (reading.seq() != null) {
            state.seqs.add(reading.seq());
        }
    }

    /** The type of the last reading accepted from this device, or null. */
    synchronized DeviceType lastType(String deviceId) {
        State state = devices.get(deviceId);
        return state == null ? null : state.lastType;
    }
}
