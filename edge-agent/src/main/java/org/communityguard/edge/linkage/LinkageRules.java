package org.communityguard.edge.linkage;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.communityguard.edge.device.DeviceCommand;
import org.communityguard.edge.device.DeviceType;

/**
 * Reads the {@code linkage:} section of a site file into rules. Every problem is collected with
 * the path of the entry ({@code linkage[0].then[1].command.action}), so a bad file is fixed in one
 * go; nothing here throws on bad input.
 */
public final class LinkageRules {

    static final Duration DEFAULT_COOLDOWN = Duration.ofMinutes(5);

    private LinkageRules() {
    }

    public static List<LinkageRule> parse(JsonNode section, List<String> errors) {
        List<LinkageRule> rules = new ArrayList<>();
        if (section.isMissingNode() || section.isNull()) {
            return rules;
        }
        if (!section.isArray()) {
            errors.add("linkage: must be a list of rules");
            return rules;
        }
        int i = 0;
        for (JsonNode rule : section) {
            String where = "linkage[" + i++ + "]";
            int before = errors.size();
            String name = rule.path("name").asText("");
            if (name.isBlank()) {
                errors.add(where + ".name: required");
            }
            JsonNode when = rule.path("when");
            Optional<DeviceType> type = DeviceType.fromWireName(when.path("type").asText(""));
            if (type.isEmpty()) {
                errors.add(where + ".when.type: must be a device type (lamp_post, manhole, smoke_detector, door_access)");
            }
            String event = when.path("event").asText("");
            if (event.isBlank()) {
                errors.add(where + ".when.event: required (the event name, e.g. alarm)");
            }
            Map<String, String> fields = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = when.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (!f.getKey().equals("type") && !f.getKey().equals("event")) {
                    if (!f.getValue().isValueNode()) {
                        errors.add(where + ".when." + f.getKey() + ": must be a plain value");
                    }
                    fields.put(f.getKey(), f.getValue().asText());
                }
            }
            List<LinkageRule.Action> actions = new ArrayList<>();
            int j = 0;
            if (!rule.path("then").isArray() || rule.path("then").isEmpty()) {
                errors.add(where + ".then: a list of one or more actions is required");
            }
            for (JsonNode action : rule.path("then")) {
                String at = where + ".then[" + j++ + "]";
                Optional<DeviceType> target = DeviceType.fromWireName(action.path("type").asText(""));
                if (target.isEmpty()) {
                    errors.add(at + ".type: must be a device type");
                }
                Optional<DeviceCommand> command = command(action.path("command"), at + ".command", errors);
                if (target.isPresent() && command.isPresent()) {
                    actions.add(new LinkageRule.Action(target.get(), command.get()));
                }
            }
            Duration cooldown = DEFAULT_COOLDOWN;
            if (rule.has("cooldown_s")) {
                if (!rule.path("cooldown_s").isIntegralNumber() || !rule.path("cooldown_s").canConvertToInt()
                        || rule.path("cooldown_s").asInt() < 0) {
                    errors.add(where + ".cooldown_s: must be a whole number of seconds, 0 or more");
                } else {
                    cooldown = Duration.ofSeconds(rule.path("cooldown_s").asInt());
                }
            }
            if (errors.size() == before) {
                rules.add(new LinkageRule(name, type.get(), event, fields, actions, cooldown));
            }
        }
        return rules;
    }

    private static Optional<DeviceCommand> command(JsonNode c, String at, List<String> errors) {
        try {
            return switch (c.path("cmd").asText("")) {
                case "door" -> switch (c.path("action").asText("")) {
                    case "release" -> Optional.of(new DeviceCommand.Door(DeviceCommand.Door.Action.RELEASE));
                    case "lock" -> Optional.of(new DeviceCommand.Door(DeviceCommand.Door.Action.LOCK));
                    default -> {
                        errors.add(at + ".action: must be release or lock");
                        yield Optional.empty();
                    }
                };
                case "lamp" -> Optional.of(new DeviceCommand.Lamp(c.path("on").asBoolean(true),
                        c.path("dim_pct").asInt(100), c.path("flash").asBoolean(false)));
                case "siren" -> Optional.of(new DeviceCommand.Siren(c.path("on").asBoolean(true)));
                default -> {
                    errors.add(at + ".cmd: must be door, lamp or siren (the device profile's commands)");
                    yield Optional.empty();
                }
            };
        } catch (IllegalArgumentException e) {
            errors.add(at + ": " + e.getMessage());
            return Optional.empty();
        }
    }
}
