package org.communityguard.sim.site;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads a site file (docs/site-file.md). The hub and the edge agent have their own readers by
 * design; this one only needs what the simulator uses, but checks the whole file so a bad file
 * is reported here with the same kind of message rather than half-simulated.
 */
public final class SiteLoader {

    /** Device profile identifier rule, also used for community, gateway and building ids. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final String ID_RULE = "must be 1 to 64 characters of A-Z a-z 0-9 . _ -";

    // Unknown keys are ignored: the file is shared with the hub and the edge agent, which may
    // read keys this simulator has no use for.
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private SiteLoader() {
    }

    public static Site load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new SiteException("site file " + file + ": no such file");
        } catch (IOException e) {
            throw new SiteException("site file " + file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /** Parses site YAML; {@code source} names the file in error messages. */
    public static Site parse(String yaml, String source) {
        if (yaml.lines().allMatch(line -> line.isBlank() || line.strip().startsWith("#"))) {
            throw new SiteException("site file " + source + ": empty");
        }
        RawSite raw;
        try {
            raw = YAML.readValue(yaml, RawSite.class);
        } catch (JsonMappingException e) {
            throw new SiteException("site file " + source + ": " + describe(e), e);
        } catch (JsonProcessingException e) {
            throw new SiteException("site file " + source + ": not valid YAML: " + e.getOriginalMessage(), e);
        }
        if (raw == null) {
            throw new SiteException("site file " + source + ": empty");
        }
        return new Validation(source).site(raw);
    }

    private static String describe(JsonMappingException e) {
        String path = e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? "." + ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining()).replaceFirst("^\\.", "");
        return (path.isEmpty() ? "" : path + ": ") + "wrong structure: " + e.getOriginalMessage();
    }

    /** Collects every problem of the file, so one run shows them all. */
    private static final class Validation {
        private final String source;
        private final List<String> problems = new ArrayList<>();

        Validation(String source) {
            this.source = source;
        }

        Site site(RawSite raw) {
            checkId("community", raw.community());
            List<Gateway> gateways = new ArrayList<>();
            Set<String> gatewayIds = new HashSet<>();
            List<RawGateway> rawGateways = orEmpty(raw.gateways());
            for (int i = 0; i < rawGateways.size(); i++) {
                RawGateway g = rawGateways.get(i);
                String where = entry("gateways", i, g == null ? null : g.id());
                if (g == null) {
                    problems.add(where + ": empty entry");
                    continue;
                }
                if (checkId(where + ": id", g.id()) && !gatewayIds.add(g.id())) {
                    problems.add(where + ": duplicate gateway id");
                }
                gateways.add(new Gateway(g.id(), orDefault(g.name(), g.id())));
            }
            List<Building> buildings = new ArrayList<>();
            Set<String> buildingIds = new HashSet<>();
            List<RawBuilding> rawBuildings = orEmpty(raw.buildings());
            for (int i = 0; i < rawBuildings.size(); i++) {
                RawBuilding b = rawBuildings.get(i);
                String where = entry("buildings", i, b == null ? null : b.id());
                if (b == null) {
                    problems.add(where + ": empty entry");
                    continue;
                }
                if (checkId(where + ": id", b.id()) && !buildingIds.add(b.id())) {
                    problems.add(where + ": duplicate building id");
                }
                buildings.add(new Building(b.id(), orDefault(b.name(), b.id()), b.grid()));
            }
            List<SiteDevice> devices = new ArrayList<>();
            Set<String> deviceIds = new HashSet<>();
            List<RawDevice> rawDevices = orEmpty(raw.devices());
            for (int i = 0; i < rawDevices.size(); i++) {
                RawDevice d = rawDevices.get(i);
                String where = entry("devices", i, d == null ? null : d.id());
                if (d == null) {
                    problems.add(where + ": empty entry");
                    continue;
                }
                if (checkId(where + ": id", d.id()) && !deviceIds.add(d.id())) {
                    problems.add(where + ": duplicate device id");
                }
                DeviceType type = null;
                if (d.type() == null) {
                    problems.add(where + ": type is missing");
                } else {
                    type = DeviceType.fromWire(d.type()).orElse(null);
                    if (type == null) {
                        problems.add(where + ": unknown type '" + d.type()
                                + "' (lamp_post, manhole, smoke_detector or door_access)");
                    }
                }
                if (d.gateway() == null) {
                    problems.add(where + ": gateway is missing");
                } else if (!gatewayIds.contains(d.gateway())) {
                    problems.add(where + ": gateway '" + d.gateway() + "' is not listed under gateways");
                }
                if (d.building() != null && !buildingIds.contains(d.building())) {
                    problems.add(where + ": building '" + d.building() + "' is not listed under buildings");
                }
                if (d.intervalS() != null && d.intervalS() <= 0) {
                    problems.add(where + ": interval_s must be a positive number of seconds");
                }
                if (type != null) {
                    devices.add(new SiteDevice(d.id(), type, d.building(), d.gateway(), d.location(),
                            interval(type, d.intervalS())));
                }
            }
            if (!problems.isEmpty()) {
                throw new SiteException("site file " + source + ": " + String.join("; ", problems));
            }
            return new Site(raw.community(), orDefault(raw.name(), raw.community()), gateways, buildings, devices);
        }

        private boolean checkId(String what, String id) {
            if (id == null) {
                problems.add(what + " is missing");
                return false;
            }
            if (!ID.matcher(id).matches()) {
                problems.add(what + " '" + id + "' " + ID_RULE);
                return false;
            }
            return true;
        }

        private static String entry(String list, int index, String id) {
            return list + "[" + index + "]" + (id == null ? "" : " (" + id + ")");
        }

        private static Duration interval(DeviceType type, Integer seconds) {
            if (seconds != null && seconds > 0) {
                return Duration.ofSeconds(seconds);
            }
            return type.transport() == DeviceType.Transport.MQTT ? Duration.ofSeconds(60) : Duration.ofSeconds(300);
        }

        private static <T> List<T> orEmpty(List<T> list) {
            return list == null ? List.of() : list;
        }

        private static String orDefault(String value, String fallback) {
            return value == null || value.isBlank() ? fallback : value;
        }
    }

    private record RawSite(String community, String name, List<RawGateway> gateways, List<RawBuilding> buildings,
                           List<RawDevice> devices) {
    }

    private record RawGateway(String id, String name) {
    }

    private record RawBuilding(String id, String name, String grid) {
    }

    private record RawDevice(String id, String type, String building, String gateway, String location,
                             @JsonProperty("interval_s") Integer intervalS) {
    }
}
