package org.communityguard.edge.site;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.communityguard.edge.config.ConfigException;
import org.communityguard.edge.device.DeviceType;
import org.communityguard.edge.device.Provisioning;

/**
 * What the gateway reads from the community's site file (docs/site-file.md): the devices it
 * serves, their types and buildings. The hub has its own reader: the site file, not code, is
 * what the two share.
 */
public record Site(String community, Map<String, Device> devices) {

    public record Device(String id, DeviceType type, String building) {
    }

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public static Site empty() {
        return new Site("", Map.of());
    }

    /** The devices of {@code gatewayId} in the file; other gateways' devices are not ours. */
    public static Site load(Path file, String gatewayId) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
        } catch (IOException e) {
            throw new ConfigException("cannot read site file " + file + ": " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException("site file " + file + ": expected a map with community, buildings, devices");
        }
        List<String> errors = new ArrayList<>();
        Map<String, Device> devices = new HashMap<>();
        int i = 0;
        for (JsonNode d : root.path("devices")) {
            String id = d.path("id").asText("");
            String where = "devices[" + i++ + "] '" + id + "'";
            if (!ID.matcher(id).matches()) {
                errors.add(where + ": id must be 1-64 characters of A-Z a-z 0-9 . _ -");
                continue;
            }
            Optional<DeviceType> type = DeviceType.fromWireName(d.path("type").asText(""));
            if (type.isEmpty()) {
                errors.add(where + ": unknown type '" + d.path("type").asText("") + "'");
                continue;
            }
            if (gatewayId.equals(d.path("gateway").asText(""))) {
                devices.put(id, new Device(id, type.get(), d.hasNonNull("building") ? d.path("building").asText() : null));
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigException("site file " + file + " is invalid:\n  " + String.join("\n  ", errors));
        }
        return new Site(root.path("community").asText(""), Map.copyOf(devices));
    }

    public Provisioning provisioning() {
        Map<String, DeviceType> types = new HashMap<>();
        devices.values().forEach(d -> types.put(d.id(), d.type()));
        return Provisioning.of(types);
    }
}
