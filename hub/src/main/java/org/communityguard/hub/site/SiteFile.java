package org.communityguard.hub.site;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.communityguard.hub.config.ConfigException;
import org.yaml.snakeyaml.LoaderOptions;

/** A community's site file (docs/site-file.md), parsed and checked. */
public record SiteFile(String community, String name, List<Gateway> gateways, List<Building> buildings,
                       List<Device> devices) {

    /**
     * A city's site file is large: the YAML parser's default limit of 3 MiB of text is about 30,000
     * devices, and the hub then would not start. 64 Mi code points hold well over 500,000.
     */
    private static final int MAX_SITE_FILE_CODE_POINTS = 64 * 1024 * 1024;
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .loaderOptions(limits()).build());

    private static LoaderOptions limits() {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(MAX_SITE_FILE_CODE_POINTS);
        return options;
    }

    public record Gateway(String id, String name) {
    }

    /** @param x position on the site plan, 0..100 from the left, or null (the console lays it out) */
    public record Building(String id, String name, String grid, Double x, Double y) {
    }

    /** @param x position on the site plan, 0..100 from the left, or null (the console lays it out) */
    public record Device(String id, String type, String building, String gateway, String location, Integer intervalS,
                         Double x, Double y) {
    }

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Set<String> TYPES = Set.of("lamp_post", "manhole", "smoke_detector", "door_access");

    public static SiteFile load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException("cannot read site file " + file + ": " + e.getMessage());
        }
        return parse(text, file.toString());
    }

    /**
     * The site file's text, checked; {@code source} names it in messages. Bad text of any kind is a
     * {@link ConfigException} that says where, never another exception.
     */
    public static SiteFile parse(String text, String source) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (IOException e) {
            throw new ConfigException("cannot read site file " + source + ": " + e.getMessage());
        }
        String file = source;
        List<String> errors = new ArrayList<>();
        if (root == null || !root.isObject()) {
            throw new ConfigException("site file " + file + ": expected a map with community, buildings, devices");
        }
        String community = id(root, "community", "community", errors);
        List<Gateway> gateways = new ArrayList<>();
        Set<String> gatewayIds = new HashSet<>();
        for (JsonNode g : root.path("gateways")) {
            String id = id(g, "id", "gateways[" + gateways.size() + "]", errors);
            gatewayIds.add(id);
            gateways.add(new Gateway(id, text(g, "name", id, "gateway '" + id + "'", errors)));
        }
        List<Building> buildings = new ArrayList<>();
        Set<String> buildingIds = new HashSet<>();
        for (JsonNode b : root.path("buildings")) {
            String id = id(b, "id", "buildings[" + buildings.size() + "]", errors);
            if (!buildingIds.add(id)) {
                errors.add("buildings: '" + id + "' appears twice");
            }
            String where = "building '" + id + "'";
            Double[] at = position(b, where, errors);
            buildings.add(new Building(id, text(b, "name", id, where, errors), text(b, "grid", null, where, errors), at[0], at[1]));
        }
        List<Device> devices = new ArrayList<>();
        Set<String> deviceIds = new HashSet<>();
        for (JsonNode d : root.path("devices")) {
            String where = "devices[" + devices.size() + "]";
            String id = id(d, "id", where, errors);
            where = "device '" + id + "'";
            if (!deviceIds.add(id)) {
                errors.add(where + " appears twice");
            }
            String type = d.path("type").asText("");
            if (!TYPES.contains(type)) {
                errors.add(where + ": type '" + type + "' is not one of " + TYPES);
            }
            String building = d.hasNonNull("building") ? d.path("building").asText() : null;
            if (building != null && !buildingIds.contains(building)) {
                errors.add(where + ": building '" + building + "' is not listed under buildings");
            }
            String gateway = d.path("gateway").asText("");
            if (!gatewayIds.contains(gateway)) {
                errors.add(where + ": gateway '" + gateway + "' is not listed under gateways");
            }
            Integer interval = null;
            if (d.has("interval_s")) {
                // Whole seconds: canConvertToInt alone takes 2.5 and cuts it to 2.
                if (!d.path("interval_s").isIntegralNumber() || !d.path("interval_s").canConvertToInt() || d.path("interval_s").asInt() < 1) {
                    errors.add(where + ": interval_s must be a whole number of seconds, 1 or more");
                } else {
                    interval = d.path("interval_s").asInt();
                }
            }
            Double[] at = position(d, where, errors);
            devices.add(new Device(id, type, building, gateway, text(d, "location", null, where, errors), interval, at[0], at[1]));
        }
        String name = text(root, "name", community, "community", errors);
        if (!errors.isEmpty()) {
            throw new ConfigException("site file " + file + " is invalid:\n  " + String.join("\n  ", errors));
        }
        return new SiteFile(community, name, gateways, buildings, devices);
    }

    // x and y together or neither, each a number 0..100.
    private static Double[] position(JsonNode node, String where, List<String> errors) {
        boolean hasX = node.hasNonNull("x");
        boolean hasY = node.hasNonNull("y");
        if (!hasX && !hasY) {
            return new Double[] {null, null};
        }
        if (hasX != hasY) {
            errors.add(where + ": give both x and y on the site plan, or neither");
            return new Double[] {null, null};
        }
        JsonNode x = node.path("x");
        JsonNode y = node.path("y");
        if (!x.isNumber() || !y.isNumber() || x.asDouble() < 0 || x.asDouble() > 100 || y.asDouble() < 0 || y.asDouble() > 100) {
            errors.add(where + ": x and y must be numbers from 0 to 100 (got " + x + ", " + y + ")");
            return new Double[] {null, null};
        }
        return new Double[] {x.asDouble(), y.asDouble()};
    }

    /**
     * An optional text field ({@code absent} when missing or null) that the database can store:
     * U+0000 or a surrogate without its pair (YAML's {@code "\0"} and {@code "\uD800"}) is an error
     * naming the entry, not PostgreSQL's refusal at start-up.
     */
    private static String text(JsonNode node, String field, String absent, String where, List<String> errors) {
        if (!node.hasNonNull(field)) {
            return absent;
        }
        String value = node.path(field).asText();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0) {
                errors.add(where + ": " + field + " holds U+0000, which the database cannot store");
                return absent;
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                errors.add(where + ": " + field + " holds a surrogate without its pair, which is no text");
                return absent;
            }
        }
        return value;
    }

    private static String id(JsonNode node, String field, String where, List<String> errors) {
        String value = node.path(field).asText("");
        if (!ID.matcher(value).matches()) {
            errors.add(where + ": '" + field + "' must be 1-64 characters of A-Z a-z 0-9 . _ - (got '" + value + "')");
        }
        return value;
    }
}
