package org.communityguard.edge.device;

import static org.communityguard.edge.device.DeviceType.DOOR_ACCESS;
import static org.communityguard.edge.device.DeviceType.LAMP_POST;
import static org.communityguard.edge.device.DeviceType.MANHOLE;
import static org.communityguard.edge.device.DeviceType.SMOKE_DETECTOR;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reference device profile v1 (docs/devices.md) as data: the telemetry field table
 * and the event table, transcribed row by row so a reviewer can hold them side by side. The
 * validator walks these tables; it holds no per-field code.
 *
 * <p>Where the profile does not say whether an event's extra field is required, the safety of
 * the community decides: a smoke {@code alarm} without {@code level} or a {@code fault} without
 * {@code code} is still forwarded (dropping a fire alarm over a missing detail would be worse than
 * the missing detail), while {@code access} needs {@code result} (an access event means nothing
 * without it) and {@code command_ack} needs {@code id} (there is nothing to acknowledge without it).
 */
public final class DeviceProfile {

    /**
     * How one value is checked; {@link #problem} says what is wrong, or null when nothing is, and
     * {@link #expected} what the rule wants without naming the value (for personal fields).
     */
    public sealed interface ValueRule permits Bool, Range, Text, OneOf {
        String problem(JsonNode value);

        String expected();
    }

    public record Bool() implements ValueRule {
        @Override
        public String problem(JsonNode value) {
            return value.isBoolean() ? null : expected() + ", not " + describe(value);
        }

        @Override
        public String expected() {
            return "must be true or false";
        }
    }

    /** A JSON number (integer or not) within {@code min..max}, both inclusive. */
    public record Range(double min, double max) implements ValueRule {
        @Override
        public String problem(JsonNode value) {
            if (!value.isNumber()) {
                return "must be a number, not " + describe(value);
            }
            double v = value.doubleValue();
            // Written so NaN (CBOR can carry it, JSON cannot) fails too.
            if (v >= min && v <= max) {
                return null;
            }
            return value.asText() + " is outside " + number(min) + ".." + number(max);
        }

        @Override
        public String expected() {
            return "must be a number in " + number(min) + ".." + number(max);
        }
    }

    public record Text() implements ValueRule {
        @Override
        public String problem(JsonNode value) {
            return value.isTextual() ? null : expected() + ", not " + describe(value);
        }

        @Override
        public String expected() {
            return "must be a string";
        }
    }

    public record OneOf(Set<String> values) implements ValueRule {
        public OneOf {
            values = Set.copyOf(values);
        }

        @Override
        public String problem(JsonNode value) {
            if (value.isTextual() && values.contains(value.textValue())) {
                return null;
            }
            return describe(value) + " is not one of " + oneOf();
        }

        @Override
        public String expected() {
            return "must be one of " + oneOf();
        }

        private String oneOf() {
            return String.join("/", values.stream().sorted().toList());
        }
    }

    /**
     * @param absentMeans what an optional field's absence means, where the profile says (an
     *                    {@code alarm} without {@code level} is an alarm), or null
     */
    public record FieldRule(String name, ValueRule rule, boolean required, String absentMeans) {
        FieldRule(String name, ValueRule rule, boolean required) {
            this(name, rule, required, null);
        }
    }

    public record EventRule(String name, Set<DeviceType> types, List<FieldRule> fields) {
        public EventRule {
            types = Set.copyOf(types);
            fields = List.copyOf(fields);
        }
    }

    private static final ValueRule BOOL = new Bool();
    private static final ValueRule TEXT = new Text();
    private static final Set<DeviceType> ALL_TYPES = EnumSet.allOf(DeviceType.class);

    /** The profile's "Telemetry fields" table. */
    private static final List<Telemetry> TELEMETRY = List.of(
            // types                                 field                        rule
            telemetry(types(LAMP_POST),                "lamp_on",                   BOOL),
            telemetry(types(LAMP_POST),                "dim_pct",                   range(0, 100)),
            telemetry(types(LAMP_POST),                "power_w",                   range(0, 2000)),
            telemetry(types(LAMP_POST),                "voltage_v",                 range(0, 400)),
            telemetry(types(LAMP_POST),                "current_a",                 range(0, 20)),
            telemetry(types(LAMP_POST),                "leakage_ma",                range(0, 1000)),
            telemetry(types(LAMP_POST),                "tilt_deg",                  range(0, 90)),
            telemetry(types(LAMP_POST),                "lux",                       range(0, 200_000)),
            telemetry(types(LAMP_POST),                "cabinet_open",              BOOL),
            telemetry(types(MANHOLE),                  "cover_open",                BOOL),
            telemetry(types(MANHOLE),                  "tilt_deg",                  range(0, 90)),
            telemetry(types(MANHOLE),                  "water_below_cover_cm",      range(0, 1000)),
            telemetry(types(MANHOLE),                  "ch4_pct_lel",               range(0, 100)),
            telemetry(types(MANHOLE),                  "h2s_ppm",                   range(0, 500)),
            telemetry(types(MANHOLE, SMOKE_DETECTOR),  "battery_pct",               range(0, 100)),
            telemetry(types(MANHOLE, SMOKE_DETECTOR),  "rssi_dbm",                  range(-140, 0)),
            telemetry(types(SMOKE_DETECTOR),           "smoke_obscuration_pct_m",   range(0, 100)),
            telemetry(types(SMOKE_DETECTOR),           "temp_c",                    range(-40, 150)),
            telemetry(types(SMOKE_DETECTOR),           "alarm",                     BOOL),
            telemetry(types(SMOKE_DETECTOR),           "tamper",                    BOOL),
            telemetry(types(DOOR_ACCESS),              "door_open",                 BOOL),
            telemetry(types(DOOR_ACCESS),              "locked",                    BOOL),
            telemetry(types(DOOR_ACCESS),              "open_s",                    range(0, 86_400)));

    /** The profile's "Events" table, plus {@code command_ack} from its "Commands" section. */
    private static final List<EventRule> EVENTS = List.of(
            event(types(DOOR_ACCESS), "access",
                    required("result", oneOf("granted", "denied")),
                    optional("method", oneOf("card", "face", "pin", "qr", "remote")),
                    optional("subject", TEXT)),
            event(types(DOOR_ACCESS), "forced_open"),
            event(types(DOOR_ACCESS), "held_open", optional("open_s", range(0, 86_400))),
            event(types(DOOR_ACCESS, SMOKE_DETECTOR, LAMP_POST), "tamper"),
            // No level is the detector's plain verdict: an alarm (the hub opens a FIRE for it too).
            event(types(SMOKE_DETECTOR), "alarm", new FieldRule("level", oneOf("pre_alarm", "alarm"), false, "alarm")),
            event(types(SMOKE_DETECTOR), "alarm_cleared"),
            event(types(SMOKE_DETECTOR), "test"),
            event(types(SMOKE_DETECTOR, LAMP_POST, MANHOLE), "fault", optional("code", TEXT)),
            event(types(MANHOLE), "cover_opened"),
            event(types(MANHOLE), "cover_closed"),
            event(ALL_TYPES, "command_ack", required("id", TEXT)));

    /** Version 1 of the reference profile, the one every gateway accepts out of the box. */
    public static final DeviceProfile V1 = new DeviceProfile(TELEMETRY, EVENTS);

    private final Map<DeviceType, List<FieldRule>> telemetryByType = new EnumMap<>(DeviceType.class);
    private final Map<DeviceType, Map<String, EventRule>> eventsByType = new EnumMap<>(DeviceType.class);

    private DeviceProfile(List<Telemetry> telemetry, List<EventRule> events) {
        for (DeviceType type : DeviceType.values()) {
            Map<String, FieldRule> fields = new LinkedHashMap<>();
            for (Telemetry row : telemetry) {
                if (row.types().contains(type) && fields.put(row.field().name(), row.field()) != null) {
                    throw new IllegalStateException("telemetry field listed twice for " + type + ": " + row.field().name());
                }
            }
            telemetryByType.put(type, List.copyOf(fields.values()));
            Map<String, EventRule> typeEvents = new LinkedHashMap<>();
            for (EventRule event : events) {
                if (event.types().contains(type) && typeEvents.put(event.name(), event) != null) {
                    throw new IllegalStateException("event listed twice for " + type + ": " + event.name());
                }
            }
            eventsByType.put(type, Map.copyOf(typeEvents));
        }
    }

    /**
     * The known telemetry fields of a type. A list, not a map: the validator walks it with an
     * index for every message and looks each field up in the message, which allocates nothing.
     */
    public List<FieldRule> telemetryFields(DeviceType type) {
        return telemetryByType.get(type);
    }

    /** The event of this name for this type, or null when the type has no such event. */
    public EventRule event(DeviceType type, String event) {
        return eventsByType.get(type).get(event);
    }

    /**
     * An event's field as text, or what the profile says its absence means, or null: what rules
     * that ask for a field's value (linkage) must compare, so that a device that leaves out an
     * optional field is read as the profile reads it.
     */
    public String eventField(DeviceType type, JsonNode data, String field) {
        JsonNode value = data.path(field);
        if (!value.isMissingNode() && !value.isNull()) {
            return value.asText();
        }
        EventRule rule = event(type, data.path("event").asText(""));
        if (rule != null) {
            for (FieldRule f : rule.fields()) {
                if (f.name().equals(field)) {
                    return f.absentMeans();
                }
            }
        }
        return null;
    }

    /** The events a type may send, by name. */
    public Map<String, EventRule> events(DeviceType type) {
        return eventsByType.get(type);
    }

    private record Telemetry(Set<DeviceType> types, FieldRule field) {
    }

    private static Telemetry telemetry(Set<DeviceType> types, String field, ValueRule rule) {
        return new Telemetry(types, new FieldRule(field, rule, false));
    }

    private static EventRule event(Set<DeviceType> types, String name, FieldRule... fields) {
        return new EventRule(name, types, Arrays.asList(fields));
    }

    private static Set<DeviceType> types(DeviceType first, DeviceType... more) {
        return Set.copyOf(EnumSet.of(first, more));
    }

    private static FieldRule required(String name, ValueRule rule) {
        return new FieldRule(name, rule, true);
    }

    private static FieldRule optional(String name, ValueRule rule) {
        return new FieldRule(name, rule, false);
    }

    private static ValueRule range(double min, double max) {
        return new Range(min, max);
    }

    private static ValueRule oneOf(String... values) {
        return new OneOf(Set.of(values));
    }

    /** A value as it may appear in a diagnostic: strings quoted and cut short, others by kind. */
    static String describe(JsonNode value) {
        if (value.isTextual()) {
            String text = value.textValue();
            return "\"" + DeviceIds.printable(text.length() > 24 ? text.substring(0, 24) + "..." : text) + "\"";
        }
        if (value.isNull()) {
            return "null";
        }
        if (value.isNumber() || value.isBoolean()) {
            return value.asText();
        }
        return value.getNodeType().name().toLowerCase();
    }

    /** What kind of value it is, without the value: for diagnostics about personal fields. */
    static String jsonKind(JsonNode value) {
        return switch (value.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case OBJECT, POJO -> "an object";
            case ARRAY -> "an array";
            case BINARY -> "binary";
            case NULL, MISSING -> "null";
        };
    }

    static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }
}
