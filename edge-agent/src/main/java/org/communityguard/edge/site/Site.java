package org.communityguard.edge.site;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.communityguard.edge.config.ConfigException;
import org.communityguard.edge.device.DeviceType;
import org.communityguard.edge.device.Provisioning;
import org.communityguard.edge.identity.DeviceAccess;
import org.communityguard.edge.identity.DeviceAuth;
import org.communityguard.edge.linkage.LinkageRule;
import org.communityguard.edge.linkage.LinkageRules;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * What the gateway reads from the community's site file (docs/site-file.md): the devices it
 * serves, their types, buildings, reporting intervals and how each proves who it is, and the
 * community's linkage rules. The hub has its own reader: the site file, not code, is what the two
 * share.
 *
 * @param deviceAuth the community's {@code device_auth}: how a device the file does not list, or
 *                   lists without {@code auth}, proves who it is
 */
public record Site(String community, Map<String, Device> devices, List<LinkageRule> linkage, DeviceAuth deviceAuth) {

    /**
     * A city's site file is large: the YAML parser's default limit of 3 MiB of text is about 30,000
     * devices, and the agent then would not start. 64 Mi code points hold well over 500,000.
     */
    private static final int MAX_SITE_FILE_CODE_POINTS = 64 * 1024 * 1024;
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .loaderOptions(limits()).build());

    private static LoaderOptions limits() {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(MAX_SITE_FILE_CODE_POINTS);
        return options;
    }

    /**
     * @param interval how often the device reports: the file's {@code interval_s}, else the profile default
     * @param auth     the file's {@code auth}, else the community's {@code device_auth}
     */
    public record Device(String id, DeviceType type, String building, Duration interval, DeviceAuth auth) {

        /** A device with a key ({@code auth: psk}). */
        public Device(String id, DeviceType type, String building, Duration interval) {
            this(id, type, building, interval, DeviceAuth.PSK);
        }
    }

    /** Every device with a key: what a site file without {@code device_auth} means. */
    public Site(String community, Map<String, Device> devices, List<LinkageRule> linkage) {
        this(community, devices, linkage, DeviceAuth.PSK);
    }

    /** The profile's reporting interval when the site file gives none: mains devices 60 s, battery devices 300 s. */
    public static Duration defaultInterval(DeviceType type) {
        return type == DeviceType.LAMP_POST || type == DeviceType.DOOR_ACCESS ? Duration.ofSeconds(60) : Duration.ofSeconds(300);
    }

    public Site {
        devices = Map.copyOf(devices);
        linkage = List.copyOf(linkage);
    }

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /** No site file: no device is known, and each must prove who it is. */
    public static Site empty() {
        return new Site("", Map.of(), List.of(), DeviceAuth.PSK);
    }

    /** The devices of {@code gatewayId} in the file; other gateways' devices are not ours. */
    public static Site load(Path file, String gatewayId) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException("cannot read site file " + file + ": " + e.getMessage());
        }
        return parse(text, file.toString(), gatewayId);
    }

    /**
     * The site file's text, checked; {@code source} names it in messages. Bad text of any kind is a
     * {@link ConfigException} that says where, never another exception.
     */
    public static Site parse(String text, String source, String gatewayId) {
        String file = source;
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (IOException e) {
            throw new ConfigException("cannot read site file " + file + ": " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException("site file " + file + ": expected a map with community, buildings, devices");
        }
        List<String> errors = new ArrayList<>();
        DeviceAuth deviceAuth = auth(root, "device_auth", DeviceAuth.PSK, "device_auth", errors);
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
            Duration interval = defaultInterval(type.get());
            if (d.has("interval_s")) {
                // Whole seconds: canConvertToInt alone takes 2.5 and cuts it to 2.
                if (!d.path("interval_s").isIntegralNumber() || !d.path("interval_s").canConvertToInt() || d.path("interval_s").asInt() < 1) {
                    errors.add(where + ": interval_s must be a whole number of seconds, 1 or more");
                    continue;
                }
                interval = Duration.ofSeconds(d.path("interval_s").asInt());
            }
            DeviceAuth auth = auth(d, "auth", deviceAuth, where + ": auth", errors);
            if (gatewayId.equals(d.path("gateway").asText(""))) {
                devices.put(id, new Device(id, type.get(), d.hasNonNull("building") ? d.path("building").asText() : null,
                        interval, auth));
            }
        }
        List<LinkageRule> linkage = LinkageRules.parse(root.path("linkage"), errors);
        if (!errors.isEmpty()) {
            throw new ConfigException("site file " + file + " is invalid:\n  " + String.join("\n  ", errors));
        }
        return new Site(root.path("community").asText(""), devices, linkage, deviceAuth);
    }

    /** The {@code key} of {@code node}, psk or none; {@code fallback} when absent. */
    private static DeviceAuth auth(JsonNode node, String key, DeviceAuth fallback, String where, List<String> errors) {
        if (!node.has(key)) {
            return fallback;
        }
        Optional<DeviceAuth> auth = DeviceAuth.fromWireName(node.path(key).asText(""));
        if (auth.isEmpty()) {
            errors.add(where + ": must be psk (a key in the gateway's device keys file) or none (plain CoAP)");
            return fallback;
        }
        return auth.get();
    }

    /** The building of a device this gateway serves, if the site file gives one. */
    public Optional<String> buildingOf(String deviceId) {
        Device d = devices.get(deviceId);
        return d == null ? Optional.empty() : Optional.ofNullable(d.building());
    }

    /** This gateway's devices of a type in a building, sorted by id. */
    public List<String> devicesIn(String building, DeviceType type) {
        return devices.values().stream()
                .filter(d -> d.type() == type && building.equals(d.building()))
                .map(Device::id).sorted().toList();
    }

    /** Who may speak as which device (docs/site-file.md, "Device identity"). */
    public DeviceAccess access() {
        Map<String, DeviceAuth> auth = new HashMap<>();
        devices.values().forEach(d -> auth.put(d.id(), d.auth()));
        return new DeviceAccess(auth, deviceAuth);
    }

    public Provisioning provisioning() {
        Map<String, DeviceType> types = new HashMap<>();
        devices.values().forEach(d -> types.put(d.id(), d.type()));
        return Provisioning.of(types);
    }
}
