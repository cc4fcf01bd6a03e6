package org.communityguard.sim.device;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A downlink command, e.g. {@code {"cmd": "door", "action": "release", "id": "c-17"}}.
 * {@code id} is null when the gateway sent none (the command then cannot be acknowledged).
 */
public record Command(String id, String cmd, Map<String, Object> fields) {

    public Command {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    public Optional<Boolean> bool(String name) {
        return fields.get(name) instanceof Boolean b ? Optional.of(b) : Optional.empty();
    }

    public Optional<Double> number(String name) {
        return fields.get(name) instanceof Number n ? Optional.of(n.doubleValue()) : Optional.empty();
    }

    public Optional<String> text(String name) {
        return fields.get(name) instanceof String s ? Optional.of(s) : Optional.empty();
    }
}
