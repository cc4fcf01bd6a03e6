package org.communityguard.edge.mqtt;

import org.communityguard.edge.device.Kind;

/** The device profile's MQTT topics, in one place. */
final class DeviceTopics {

    static final String TELEMETRY_FILTER = "devices/+/telemetry";
    static final String EVENT_FILTER = "devices/+/event";
    static final String STATUS_FILTER = "devices/+/status";

    private static final String PREFIX = "devices/";

    /** Where a message came from: which device, and what kind of message by its topic. */
    record Route(String deviceId, Kind kind) {
    }

    private DeviceTopics() {
    }

    /** The route of {@code devices/{id}/telemetry|event|status}, or null for any other topic. */
    static Route route(String topic) {
        if (topic == null || !topic.startsWith(PREFIX)) {
            return null;
        }
        int slash = topic.indexOf('/', PREFIX.length());
        if (slash < 0 || topic.indexOf('/', slash + 1) >= 0) {
            return null;
        }
        Kind kind = kindOf(topic, slash + 1);
        return kind == null ? null : new Route(topic.substring(PREFIX.length(), slash), kind);
    }

    private static Kind kindOf(String topic, int from) {
        int length = topic.length() - from;
        if (length == 9 && topic.startsWith("telemetry", from)) {
            return Kind.TELEMETRY;
        }
        if (length == 5 && topic.startsWith("event", from)) {
            return Kind.EVENT;
        }
        if (length == 6 && topic.startsWith("status", from)) {
            return Kind.STATUS;
        }
        return null;
    }

    static String error(String deviceId) {
        return PREFIX + deviceId + "/error";
    }

    static String command(String deviceId) {
        return PREFIX + deviceId + "/command";
    }

    /**
     * Whether an id can name a topic level of a topic we publish: the id came out of a topic, so
     * it holds no '/', but it may be empty or hold wildcard characters a PUBLISH may not carry.
     */
    static boolean usableLevel(String deviceId) {
        return deviceId != null && !deviceId.isEmpty() && deviceId.length() <= 256
                && deviceId.indexOf('+') < 0 && deviceId.indexOf('#') < 0 && deviceId.indexOf('\u0000') < 0;
    }
}
