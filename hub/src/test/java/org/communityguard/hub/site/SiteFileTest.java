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
}
