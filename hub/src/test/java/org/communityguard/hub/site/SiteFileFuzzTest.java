package org.communityguard.hub.site;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.communityguard.hub.config.ConfigException;
import org.communityguard.testkit.fuzz.Choices;
import org.communityguard.testkit.fuzz.Fuzzing;
import org.communityguard.testkit.fuzz.Mutations;
import org.junit.jupiter.api.Test;

/**
 * The hub's site file reader (docs/site-file.md) under generated input, {@value Fuzzing#SHORT_TRIES}
 * tries ({@link SiteFileFuzzer} runs the same property in deploy/bench.sh fuzz). Inputs are valid
 * site files, as they are, with unknown keys, with one rule of the format broken, or as text
 * flipped, cut, replaced, or given YAML's anchors, tags and deep nesting.
 *
 * <p>What must hold: the reader returns a site or throws a {@link ConfigException} with a message,
 * nothing else; a valid file (unknown keys or not) is read with every entry as written; a file with
 * one rule broken is refused; what is read is what the registry stores: ids of the format,
 * positions both or neither and within 0..100, intervals of one second or more, every reference
 * resolved, and text PostgreSQL stores (no U+0000, no lone surrogate).
 */
class SiteFileFuzzTest {

    static final String DECODER = "hub_site";
    static final Fuzzing.Property PROPERTY = SiteFileFuzzTest::check;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final String ID = "[A-Za-z0-9._-]{1,64}";
    private static final List<String> TYPES = List.of("lamp_post", "manhole", "smoke_detector", "door_access");

    private enum Mutation { NONE, UNKNOWN_KEYS, BROKEN_RULE, BYTE_FLIPS, TRUNCATE, RANDOM_TEXT, YAML_FEATURES }

    @Test
    void siteFilesAreReadAsWrittenOrRefusedWithAMessage() {
        Fuzzing.run(DECODER, PROPERTY);
    }

    static Fuzzing.Verdict check(Choices in) throws Exception {
        ObjectNode site = valid(in);
        Mutation mutation = in.pick(List.of(Mutation.values()));
        ObjectNode sent = site.deepCopy();
        String broken = null;
        switch (mutation) {
            case UNKNOWN_KEYS -> {
                sent.put("x_owner", Mutations.storable(in.text(12)));
                sent.path("devices").forEach(d -> ((ObjectNode) d).put("x_vendor", in.between(0, 9)));
                sent.path("buildings").forEach(b -> ((ObjectNode) b).putArray("x_tags").add("a"));
            }
            case BROKEN_RULE -> broken = breakRule(in, sent);
            default -> {
            }
        }
        String text = YAML.writeValueAsString(sent)
                .replace("\"NANMARK\"", ".nan").replace("NANMARK", ".nan").replace("\"INFMARK\"", ".inf").replace("INFMARK", ".inf");
        switch (mutation) {
            case BYTE_FLIPS -> text = Mutations.flipChars(in, text);
            case TRUNCATE -> text = text.substring(0, in.between(0, text.length() - 1));
            case RANDOM_TEXT -> text = in.text(300);
            case YAML_FEATURES -> text = yamlFeature(in, text);
            default -> {
            }
        }

        SiteFile read;
        try {
            read = SiteFile.parse(text, "fuzz.yaml");
        } catch (ConfigException e) {
            assertThat(e.getMessage()).isNotBlank();
            assertThat(mutation).as("a valid file was refused: %s", e.getMessage()).isNotIn(Mutation.NONE, Mutation.UNKNOWN_KEYS);
            return Fuzzing.refused(e.getMessage().startsWith("cannot read") ? "unreadable"
                    : e.getMessage().contains("expected a map") ? "not_a_map" : "invalid");
        }
        assertThat(broken).as("a file with a broken rule was read: %s", broken).isNull();
        assertStorable(read);
        if (mutation == Mutation.NONE || mutation == Mutation.UNKNOWN_KEYS) {
            assertAsWritten(site, read);
        }
        return Fuzzing.accepted();
    }

    private static void assertAsWritten(JsonNode site, SiteFile read) {
        assertThat(read.community()).isEqualTo(site.path("community").asText());
        assertThat(read.name()).isEqualTo(site.path("name").asText(read.community()));
        assertThat(read.gateways()).extracting(SiteFile.Gateway::id)
                .containsExactlyElementsOf(site.path("gateways").findValuesAsText("id"));
        assertThat(read.buildings()).hasSize(site.path("buildings").size());
        for (int i = 0; i < read.buildings().size(); i++) {
            JsonNode b = site.path("buildings").get(i);
            SiteFile.Building got = read.buildings().get(i);
            assertThat(got.id()).isEqualTo(b.path("id").asText());
            assertThat(got.name()).isEqualTo(b.path("name").asText(got.id()));
            assertThat(got.grid()).isEqualTo(b.hasNonNull("grid") ? b.path("grid").asText() : null);
            assertThat(got.x()).isEqualTo(b.has("x") ? b.path("x").asDouble() : null);
            assertThat(got.y()).isEqualTo(b.has("y") ? b.path("y").asDouble() : null);
        }
        assertThat(read.devices()).hasSize(site.path("devices").size());
        for (int i = 0; i < read.devices().size(); i++) {
            JsonNode d = site.path("devices").get(i);
            SiteFile.Device got = read.devices().get(i);
            assertThat(got.id()).isEqualTo(d.path("id").asText());
            assertThat(got.type()).isEqualTo(d.path("type").asText());
            assertThat(got.building()).isEqualTo(d.hasNonNull("building") ? d.path("building").asText() : null);
            assertThat(got.gateway()).isEqualTo(d.path("gateway").asText());
            assertThat(got.location()).isEqualTo(d.hasNonNull("location") ? d.path("location").asText() : null);
            assertThat(got.intervalS()).isEqualTo(d.has("interval_s") ? d.path("interval_s").asInt() : null);
            assertThat(got.x()).isEqualTo(d.has("x") ? d.path("x").asDouble() : null);
        }
    }

    private static void assertStorable(SiteFile read) {
        assertThat(read.community()).matches(ID);
        assertStorableText(read.name());
        Set<String> gateways = new HashSet<>();
        for (SiteFile.Gateway g : read.gateways()) {
            assertThat(g.id()).matches(ID);
            assertStorableText(g.name());
            gateways.add(g.id());
        }
        Set<String> buildings = new HashSet<>();
        for (SiteFile.Building b : read.buildings()) {
            assertThat(b.id()).matches(ID);
            assertThat(buildings.add(b.id())).as("building %s twice", b.id()).isTrue();
            assertStorableText(b.name());
            assertStorableText(b.grid());
            assertPosition(b.x(), b.y());
        }
        Set<String> devices = new HashSet<>();
        for (SiteFile.Device d : read.devices()) {
            assertThat(d.id()).matches(ID);
            assertThat(devices.add(d.id())).as("device %s twice", d.id()).isTrue();
            assertThat(d.type()).isIn(TYPES);
            assertThat(d.gateway()).isIn(gateways);
            if (d.building() != null) {
                assertThat(d.building()).isIn(buildings);
            }
            assertStorableText(d.location());
            if (d.intervalS() != null) {
                assertThat(d.intervalS()).isPositive();
            }
            assertPosition(d.x(), d.y());
        }
    }

    private static void assertPosition(Double x, Double y) {
        assertThat(x == null).as("x and y both or neither").isEqualTo(y == null);
        if (x != null) {
            assertThat(x).isBetween(0.0, 100.0);
            assertThat(y).isBetween(0.0, 100.0);
        }
    }

    private static void assertStorableText(String text) {
        if (text != null) {
            assertThat(text).as("text PostgreSQL stores").doesNotContain("\u0000");
            assertThat(Mutations.storable(text)).as("text without a lone surrogate").isEqualTo(text);
        }
    }

    // ---- valid site files

    static ObjectNode valid(Choices in) {
        ObjectNode site = NODES.objectNode().put("community", id(in));
        if (in.flip()) {
            site.put("name", Mutations.storable(in.text(30)));
        }
        ArrayNode gateways = site.putArray("gateways");
        for (int i = in.between(1, 3); i > 0; i--) {
            ObjectNode g = gateways.addObject().put("id", "gw-" + i + "-" + id(in));
            if (in.flip()) {
                g.put("name", Mutations.storable(in.text(20)));
            }
        }
        ArrayNode buildings = site.putArray("buildings");
        for (int i = in.between(0, 5); i > 0; i--) {
            ObjectNode b = buildings.addObject().put("id", "B" + i);
            if (in.flip()) {
                b.put("name", Mutations.storable(in.text(20)));
            }
            if (in.flip()) {
                b.put("grid", "G" + in.between(1, 4));
            }
            position(in, b);
        }
        ArrayNode devices = site.putArray("devices");
        for (int i = in.between(0, 10); i > 0; i--) {
            ObjectNode d = devices.addObject().put("id", "dev-" + i + "-" + id(in)).put("type", in.pick(TYPES))
                    .put("gateway", in.pick(gateways.findValuesAsText("id")));
            if (!buildings.isEmpty() && in.chance(70)) {
                d.put("building", buildings.get(in.between(0, buildings.size() - 1)).path("id").asText());
            }
            if (in.flip()) {
                d.put("location", Mutations.storable(in.text(20)));
            }
            if (in.flip()) {
                d.put("interval_s", in.between(1, 86_400));
            }
            position(in, d);
        }
        return site;
    }

    private static void position(Choices in, ObjectNode node) {
        if (in.flip()) {
            node.put("x", in.flip() ? in.between(0, 100) : in.between(0, 100_000) / 1000.0);
            node.put("y", in.flip() ? in.between(0, 100) : in.between(0, 100_000) / 1000.0);
        }
    }

    private static String id(Choices in) {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
        StringBuilder s = new StringBuilder();
        for (int i = in.between(1, 12); i > 0; i--) {
            s.append(alphabet.charAt(in.between(0, alphabet.length() - 1)));
        }
        return s.toString();
    }


    // ---- mutations

    /** Breaks one rule of docs/site-file.md; says which. */
    private static String breakRule(Choices in, ObjectNode site) {
        ArrayNode buildings = (ArrayNode) site.path("buildings");
        ArrayNode devices = (ArrayNode) site.path("devices");
        ObjectNode device = devices.isEmpty() ? devices.addObject().put("id", "dev-x").put("type", "manhole")
                .put("gateway", site.path("gateways").get(0).path("id").asText()) : (ObjectNode) devices.get(in.between(0, devices.size() - 1));
        ObjectNode building = buildings.isEmpty() ? buildings.addObject().put("id", "B-x") : (ObjectNode) buildings.get(0);
        switch (in.between(0, 10)) {
            case 0 -> site.put("community", Choices.pickFrom(in, "", "sunny garden", "c".repeat(65), "社区"));
            case 1 -> device.put("id", Choices.pickFrom(in, "", "dev 1", "d/1", "d".repeat(65)));
            case 2 -> buildings.addObject().put("id", building.path("id").asText());
            case 3 -> devices.add(device.deepCopy());
            case 4 -> device.put("type", Choices.pickFrom(in, "toaster", "LAMP_POST", ""));
            case 5 -> device.put("building", "nowhere");
            case 6 -> device.put("gateway", "gw-nowhere");
            case 7 -> {
                device.remove("y");
                device.put("x", 5);
            }
            case 8 -> {
                // YAML's own NaN and infinity, written in by replaceMarks.
                building.set("x", Choices.pickFrom(in, NODES.numberNode(-0.5), NODES.numberNode(100.5), NODES.textNode("NANMARK"),
                        NODES.textNode("INFMARK"), NODES.textNode("50")));
                building.put("y", 5);
            }
            case 9 -> device.set("interval_s", Choices.pickFrom(in, NODES.numberNode(0), NODES.numberNode(-60),
                    NODES.numberNode(2.5), NODES.textNode("sixty"), NODES.booleanNode(true), NODES.numberNode(1e12)));
            default -> {
                // U+0000 survives YAML's writer and reader ("\0"); a lone surrogate does not, so
                // only the readers' own check (assertStorable) sees those that get through.
                if (in.flip()) {
                    device.put("location", "stair\u0000well");
                } else {
                    building.put("name", "Building\u0000");
                }
            }
        }
        return site.toString();
    }

    private static String yamlFeature(Choices in, String text) {
        return switch (in.between(0, 5)) {
            case 0 -> "base: &b {id: B1}\n" + text.replace("buildings:", "buildings:\n- *b\n- <<: *b\n  name: copy\nx_buildings:");
            case 1 -> text.replace("community:", "community: !!binary aGVsbG8=\nx_community:");
            case 2 -> "x: " + "[".repeat(in.between(10, 3000)) + "]".repeat(in.between(0, 10)) + "\n" + text;
            case 3 -> text.replace("  ", "\t");
            case 4 -> text + "\n---\n" + text;
            default -> "%YAML 1.1\n" + text.replace("devices:", "devices: !!python/object:os.system\n  x: 1\nx_devices:");
        };
    }
}
