package org.communityguard.sim.site;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SiteLoaderTest {

    private static final Path SITES = Path.of("src/test/resources/sites");

    @Test
    void loadsTheDemoSite() {
        Site site = SiteLoader.load(Path.of("../deploy/demo/site.yaml"));

        assertThat(site.community()).isEqualTo("sunny-garden");
        assertThat(site.name()).isEqualTo("Sunny Garden Community");
        assertThat(site.buildings()).extracting(Building::id).containsExactly("B1", "B2", "B3");
        assertThat(site.devices()).hasSizeGreaterThanOrEqualTo(40);
        Map<DeviceType, Long> byType = site.devices().stream()
                .collect(Collectors.groupingBy(SiteDevice::type, Collectors.counting()));
        assertThat(byType).containsOnlyKeys(DeviceType.values());
        assertThat(site.devices()).allSatisfy(d -> assertThat(d.gateway()).isEqualTo("gw-sunny-1"));
    }

    @Test
    void fillsDefaultsAndIgnoresKeysItDoesNotUse() {
        Site site = SiteLoader.load(SITES.resolve("small.yaml"));

        assertThat(site.name()).isEqualTo("test-garden");
        assertThat(site.gateways()).containsExactly(new Gateway("gw-test-1", "gw-test-1"));
        assertThat(site.building("B1")).contains(new Building("B1", "Building 1", "G1"));
        assertThat(site.building("B2")).contains(new Building("B2", "B2", null));
        Map<String, SiteDevice> devices = site.devices().stream()
                .collect(Collectors.toMap(SiteDevice::id, Function.identity()));
        assertThat(devices.get("smoke-b1-01")).isEqualTo(new SiteDevice("smoke-b1-01", DeviceType.SMOKE_DETECTOR,
                "B1", "gw-test-1", "1F stairwell", Duration.ofSeconds(300)));
        assertThat(devices.get("door-b1-01").interval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(devices.get("lamp-b1-01").interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(devices.get("manhole-street-1").building()).isNull();
    }

    @Test
    void reportsEveryBadEntryByIndexAndId() {
        assertThatThrownBy(() -> SiteLoader.load(SITES.resolve("bad-ids.yaml")))
                .isInstanceOf(SiteException.class)
                .hasMessageStartingWith("site file " + SITES.resolve("bad-ids.yaml") + ": ")
                .hasMessageContaining("devices[1] (smoke b1 02): id 'smoke b1 02' must be 1 to 64 characters")
                .hasMessageContaining("devices[2] (smoke-b1-01): duplicate device id")
                .hasMessageContaining("devices[3] (fridge-1): unknown type 'fridge'")
                .hasMessageContaining("devices[4] (lamp-1): building 'B9' is not listed under buildings")
                .hasMessageContaining("devices[5] (lamp-2): gateway 'gw-nowhere' is not listed under gateways")
                .hasMessageContaining("devices[6] (lamp-3): gateway is missing")
                .hasMessageContaining("devices[7] (lamp-4): interval_s must be a positive number of seconds")
                .message().doesNotContain("devices[0]");
    }

    @Test
    void rejectsAnIdLongerThan64Characters() {
        String yaml = """
                community: c
                gateways: [{id: g}]
                devices:
                  - {id: %s, type: manhole, gateway: g}
                """.formatted("m".repeat(65));

        assertThatThrownBy(() -> SiteLoader.parse(yaml, "long.yaml"))
                .hasMessageContaining("devices[0] (" + "m".repeat(65) + "): id");
        assertThat(SiteLoader.parse(yaml.replace("m".repeat(65), "m".repeat(64)), "ok.yaml").devices()).hasSize(1);
    }

    @Test
    void namesTheFieldOfAWrongStructure() {
        assertThatThrownBy(() -> SiteLoader.load(SITES.resolve("wrong-structure.yaml")))
                .isInstanceOf(SiteException.class)
                .hasMessageContaining("devices[0].interval_s: wrong structure");
    }

    @Test
    void rejectsMissingCommunityEmptyFilesBrokenYamlAndMissingFiles() {
        assertThatThrownBy(() -> SiteLoader.parse("gateways: []\n", "x.yaml"))
                .hasMessage("site file x.yaml: community is missing");
        assertThatThrownBy(() -> SiteLoader.load(SITES.resolve("empty.yaml"))).hasMessageEndingWith(": empty");
        assertThatThrownBy(() -> SiteLoader.load(SITES.resolve("not-yaml.yaml"))).hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> SiteLoader.load(SITES.resolve("missing.yaml"))).hasMessageEndingWith("no such file");
    }
}
