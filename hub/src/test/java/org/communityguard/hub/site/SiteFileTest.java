package org.communityguard.hub.site;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.communityguard.hub.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SiteFileTest {

    @Test
    void theDemoSitePlacesItsBuildingsAndLeavesDevicesToTheLayout() {
        SiteFile site = SiteFile.load(Path.of("../deploy/demo/site.yaml"));
        assertThat(site.buildings()).extracting(SiteFile.Building::x).containsExactly(22.0, 62.0, 44.0);
        assertThat(site.buildings()).extracting(SiteFile.Building::y).containsExactly(30.0, 26.0, 70.0);
        assertThat(site.devices()).hasSize(42).allSatisfy(d -> assertThat(d.x()).isNull());
    }

    @Test
    void positionsAreNumbersFrom0To100GivenInPairs(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("site.yaml");
        Files.writeString(file, """
                community: c1
                gateways: [{id: gw-1}]
                buildings:
                  - {id: B1, x: 10}
                  - {id: B2, x: 150, y: 5}
                devices:
                  - {id: d1, type: manhole, gateway: gw-1, x: "left", y: 3}
                  - {id: d2, type: manhole, gateway: gw-1, x: 0, y: 100}
                """);
        assertThatThrownBy(() -> SiteFile.load(file)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("building 'B1': give both x and y")
                .hasMessageContaining("building 'B2': x and y must be numbers from 0 to 100")
                .hasMessageContaining("device 'd1': x and y must be numbers")
                .hasMessageNotContaining("'d2'");
    }

    /**
     * Found by bench.sh sustained: a site file of 100,000 devices (9.7 MB) stopped the hub at start,
     * the YAML parser's default limit being 3 MiB of text (about 30,000 devices).
     */
    @Test
    void aCitySizedSiteFileIsRead() {
        StringBuilder sb = new StringBuilder("community: c1\ngateways: [{id: gw-1}]\ndevices:\n");
        for (int i = 0; i < 50_000; i++) {
            sb.append("  - {id: gw-1-smoke-detector-").append(i).append(", type: smoke_detector, gateway: gw-1}\n");
        }
        assertThat(sb.length()).isGreaterThan(3 * 1024 * 1024);
        assertThat(SiteFile.parse(sb.toString(), "site.yaml").devices()).hasSize(50_000);
    }

    /** Found by SiteFileFuzzTest: 2.5 was stored as 2, silently. */
    @Test
    void aFractionalIntervalIsRefusedNotCut() {
        assertThatThrownBy(() -> SiteFile.parse("""
                community: c1
                gateways: [{id: gw-1}]
                devices:
                  - {id: d1, type: manhole, gateway: gw-1, interval_s: 2.5}
                """, "site.yaml")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("device 'd1': interval_s must be a whole number of seconds");
    }

    /**
     * Found by SiteFileFuzzTest: text the database cannot store (U+0000) was read, and the hub then
     * failed to start on PostgreSQL's error instead of a message naming the entry.
     */
    @Test
    void textTheDatabaseCannotStoreIsRefusedWithItsEntry() {
        assertThatThrownBy(() -> SiteFile.parse("""
                community: c1
                gateways: [{id: gw-1}]
                buildings:
                  - {id: B1, name: "Building\\0 one"}
                devices:
                  - {id: d1, type: manhole, gateway: gw-1, location: "stair\\0well"}
                """, "site.yaml")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("building 'B1': name holds U+0000")
                .hasMessageContaining("device 'd1': location holds U+0000");
    }
}
