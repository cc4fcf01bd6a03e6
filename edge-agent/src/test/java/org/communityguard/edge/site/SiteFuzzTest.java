package org.communityguard.edge.site;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.time.Duration;
import java.util.List;
import org.communityguard.edge.config.ConfigException;
import org.communityguard.edge.device.DeviceType;
import org.communityguard.edge.linkage.LinkageRule;
import org.communityguard.testkit.fuzz.Choices;
import org.communityguard.testkit.fuzz.Fuzzing;
import org.communityguard.testkit.fuzz.Mutations;
import org.junit.jupiter.api.Test;

/**
 * The gateway's site file reader ({@link Site#parse}: its devices and linkage rules,
 * docs/site-file.md) under generated input, {@value Fuzzing#SHORT_TRIES} tries ({@link SiteFuzzer}
 * runs the same property in deploy/bench.sh fuzz). Inputs are valid files, as they are, with
 * unknown keys, with one rule of the format broken, or as text flipped, cut or replaced.
 *
 * <p>What must hold: a {@link Site} or a {@link ConfigException} with a message, nothing else; a
 * valid file is read with this gateway's devices (type, building, interval) and every linkage rule
 * as written, others' devices left out; a file with one rule broken is refused.
 */
class SiteFuzzTest {

    static final String DECODER = "edge_site";
    static final Fuzzing.Property PROPERTY = SiteFuzzTest::check;

    private static final String GATEWAY = "gw-1";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final List<String> TYPES = List.of("lamp_post", "manhole", "smoke_detector", "door_access");

    private enum Mutation { NONE, UNKNOWN_KEYS, BROKEN_RULE, BYTE_FLIPS, TRUNCATE, RANDOM_TEXT }

    @Test
    void siteFilesAreReadAsWrittenOrRefusedWithAMessage() {
        Fuzzing.run(DECODER, PROPERTY);
    }

    static Fuzzing.Verdict check(Choices in) throws Exception {
        ObjectNode site = valid(in);
        Mutation mutation = in.pick(List.of(Mutation.values()));
        ObjectNode sent = site.deepCopy();
        boolean broken = false;
        switch (mutation) {
            case UNKNOWN_KEYS -> {
                sent.put("x_owner", "someone");
                sent.path("devices").forEach(d -> ((ObjectNode) d).put("x_vendor", in.between(0, 9)));
                sent.path("linkage").forEach(r -> ((ObjectNode) r).put("x_note", "n"));
            }
            case BROKEN_RULE -> {
                breakRule(in, sent);
                broken = true;
            }
            default -> {
            }
        }
        String text = YAML.writeValueAsString(sent);
        switch (mutation) {
            case BYTE_FLIPS -> text = Mutations.flipChars(in, text);
            case TRUNCATE -> text = text.substring(0, in.between(0, text.length() - 1));
            case RANDOM_TEXT -> text = in.text(300);
            default -> {
            }
        }

        Site read;
        try {
            read = Site.parse(text, "fuzz.yaml", GATEWAY);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).isNotBlank();
            assertThat(mutation).as("a valid file was refused: %s", e.getMessage()).isNotIn(Mutation.NONE, Mutation.UNKNOWN_KEYS);
            return Fuzzing.refused(e.getMessage().startsWith("cannot read") ? "unreadable"
                    : e.getMessage().contains("expected a map") ? "not_a_map" : "invalid");
        }
        assertThat(broken).as("a file with a broken rule was read: %s", sent).isFalse();
        for (Site.Device d : read.devices().values()) {
            assertThat(d.id()).matches("[A-Za-z0-9._-]{1,64}");
            assertThat(d.type()).isNotEqualTo(DeviceType.GATEWAY);
            assertThat(d.interval()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        }
        for (LinkageRule rule : read.linkage()) {
            assertThat(rule.name()).isNotBlank();
            assertThat(rule.actions()).isNotEmpty();
            assertThat(rule.cooldown().isNegative()).isFalse();
        }
        if (mutation == Mutation.NONE || mutation == Mutation.UNKNOWN_KEYS) {
            assertAsWritten(site, read);
        }
        return Fuzzing.accepted();
    }

    private static void assertAsWritten(JsonNode site, Site read) {
        assertThat(read.community()).isEqualTo(site.path("community").asText());
        int ours = 0;
        for (JsonNode d : site.path("devices")) {
            if (!d.path("gateway").asText().equals(GATEWAY)) {
                assertThat(read.devices()).doesNotContainKey(d.path("id").asText());
                continue;
            }
            ours++;
            Site.Device got = read.devices().get(d.path("id").asText());
            assertThat(got).isNotNull();
            assertThat(got.type().wireName()).isEqualTo(d.path("type").asText());
            assertThat(got.building()).isEqualTo(d.hasNonNull("building") ? d.path("building").asText() : null);
            assertThat(got.interval()).isEqualTo(d.has("interval_s") ? Duration.ofSeconds(d.path("interval_s").asInt())
                    : Site.defaultInterval(got.type()));
        }
        assertThat(read.devices()).hasSize(ours);
        assertThat(read.linkage()).hasSize(site.path("linkage").size());
        for (int i = 0; i < read.linkage().size(); i++) {
            JsonNode r = site.path("linkage").get(i);
            LinkageRule got = read.linkage().get(i);
            assertThat(got.name()).isEqualTo(r.path("name").asText());
            assertThat(got.triggerType().wireName()).isEqualTo(r.path("when").path("type").asText());
            assertThat(got.triggerEvent()).isEqualTo(r.path("when").path("event").asText());
            assertThat(got.actions()).hasSize(r.path("then").size());
            assertThat(got.cooldown()).isEqualTo(r.has("cooldown_s") ? Duration.ofSeconds(r.path("cooldown_s").asInt()) : Duration.ofMinutes(5));
        }
    }

    static ObjectNode valid(Choices in) {
        ObjectNode site = NODES.objectNode().put("community", "c-" + in.between(0, 999));
        ArrayNode devices = site.putArray("devices");
        for (int i = in.between(0, 8); i > 0; i--) {
            ObjectNode d = devices.addObject().put("id", "dev-" + i).put("type", in.pick(TYPES))
                    .put("gateway", in.chance(70) ? GATEWAY : "gw-other");
            if (in.flip()) {
                d.put("building", "B" + in.between(1, 3));
            }
            if (in.flip()) {
                d.put("interval_s", in.between(1, 86_400));
            }
        }
        if (in.flip()) {
            ArrayNode linkage = site.putArray("linkage");
            for (int i = in.between(1, 3); i > 0; i--) {
                ObjectNode rule = linkage.addObject().put("name", "rule-" + i);
                ObjectNode when = rule.putObject("when").put("type", in.pick(TYPES)).put("event", Choices.pickFrom(in, "alarm", "tamper", "fault"));
                if (in.flip()) {
                    when.put("level", "alarm");
                }
                ArrayNode then = rule.putArray("then");
                for (int j = in.between(1, 3); j > 0; j--) {
                    ObjectNode command = switch (in.between(0, 2)) {
                        case 0 -> NODES.objectNode().put("cmd", "door").put("action", in.flip() ? "release" : "lock");
                        case 1 -> NODES.objectNode().put("cmd", "lamp").put("on", in.flip()).put("dim_pct", in.between(0, 100)).put("flash", in.flip());
                        default -> NODES.objectNode().put("cmd", "siren").put("on", in.flip());
                    };
                    then.addObject().put("type", in.pick(TYPES)).set("command", command);
                }
                if (in.flip()) {
                    rule.put("cooldown_s", in.between(0, 3600));
                }
            }
        }
        return site;
    }

    /** Breaks one rule of docs/site-file.md in a device of this gateway or in a linkage rule. */
    private static void breakRule(Choices in, ObjectNode site) {
        ArrayNode devices = (ArrayNode) site.path("devices");
        ObjectNode device = devices.addObject().put("id", "dev-broken").put("type", "manhole").put("gateway", GATEWAY);
        ObjectNode rule = site.withArray("linkage").addObject().put("name", "broken");
        rule.putObject("when").put("type", "smoke_detector").put("event", "alarm");
        rule.putArray("then").addObject().put("type", "door_access").putObject("command").put("cmd", "door").put("action", "release");
        switch (in.between(0, 7)) {
            case 0 -> device.put("id", Choices.pickFrom(in, "", "dev 1", "d/1", "d".repeat(65)));
            case 1 -> device.put("type", Choices.pickFrom(in, "toaster", "gateway", ""));
            case 2 -> device.set("interval_s", Choices.pickFrom(in, NODES.numberNode(0), NODES.numberNode(-60),
                    NODES.numberNode(2.5), NODES.textNode("sixty"), NODES.numberNode(1e12)));
            case 3 -> rule.put("name", Choices.pickFrom(in, "", "  "));
            case 4 -> ((ObjectNode) rule.path("when")).put("type", "toaster");
            case 5 -> rule.set("then", Choices.pickFrom(in, NODES.arrayNode(), NODES.textNode("open doors")));
            case 6 -> ((ObjectNode) rule.path("then").get(0).path("command")).put("action", Choices.pickFrom(in, "open", "", "RELEASE"));
            default -> rule.set("cooldown_s", Choices.pickFrom(in, NODES.numberNode(-1), NODES.numberNode(2.5), NODES.textNode("5m")));
        }
    }
}
