package org.communityguard.sim.device;

import org.communityguard.sim.site.DeviceType;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One device profile v1 message as a device sends it: {@code {"v":1,"type":..,"ts":..,"seq":..,"data":{..}}}.
 * {@code data} keeps the order the device wrote its fields in, only to make captures readable.
 */
public record Message(String deviceId, DeviceType type, Kind kind, long seq, long ts, Map<String, Object> data) {

    /** The profile version every message carries. */
    public static final int VERSION = 1;

    public enum Kind {
        /** Periodic readings: {@code devices/{id}/telemetry}, {@code POST /telemetry/{id}}. */
        TELEMETRY,
        /** A discrete event, {@code data.event} names it: {@code devices/{id}/event}, {@code POST /events/{id}}. */
        EVENT
    }

    public Message {
        data = Collections.unmodifiableMap(new LinkedHashMap<>(data));
    }

    /** The event name for events, null for telemetry. */
    public String event() {
        return kind == Kind.EVENT ? (String) data.get("event") : null;
    }
}
