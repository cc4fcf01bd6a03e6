package org.communityguard.hub.incident.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.communityguard.hub.ingest.IncomingReading;

/** Reading fields without allocating: absent or mistyped fields are "not measured". */
final class Fields {

    static final int ABSENT = -1;

    private Fields() {
    }

    /** The number, or NaN when absent or not a number. */
    static double number(ObjectNode data, String field) {
        JsonNode v = data.get(field);
        return v != null && v.isNumber() ? v.doubleValue() : Double.NaN;
    }

    /** 1 for true, 0 for false, {@link #ABSENT} when absent or not a boolean. */
    static int bool(ObjectNode data, String field) {
        JsonNode v = data.get(field);
        return v == null || !v.isBoolean() ? ABSENT : v.booleanValue() ? 1 : 0;
    }

    /** The text, or null. */
    static String text(ObjectNode data, String field) {
        JsonNode v = data.get(field);
        return v != null && v.isTextual() ? v.textValue() : null;
    }

    /** The event name of an event reading, or null for other kinds. */
    static String event(IncomingReading r) {
        return "event".equals(r.kind()) ? text(r.data(), "event") : null;
    }

    static boolean isTelemetry(IncomingReading r) {
        return "telemetry".equals(r.kind());
    }
}
