package org.communityguard.sim.bench.alarm;

import static org.assertj.core.api.Assertions.assertThat;

import org.communityguard.sim.site.DeviceType;
import org.communityguard.sim.site.Site;
import org.communityguard.sim.site.SiteLoader;
import org.junit.jupiter.api.Test;

class AlarmSiteTest {

    @Test
    void everyDetectorIsOfTheAgentsGatewayInABuildingOfItsOwn() {
        Site site = SiteLoader.parse(AlarmSite.yaml("gw-alarm-1", 3), "test");
        assertThat(site.devices()).hasSize(3).allSatisfy(d -> {
            assertThat(d.type()).isEqualTo(DeviceType.SMOKE_DETECTOR);
            assertThat(d.gateway()).isEqualTo("gw-alarm-1");
        });
        assertThat(site.devices().stream().map(d -> d.building()).distinct()).hasSize(3);
    }
}
