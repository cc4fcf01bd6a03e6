package org.communityguard.sim.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.communityguard.sim.site.Site;
import org.communityguard.sim.site.SiteLoader;
import org.junit.jupiter.api.Test;

/** bench.sh ingest's site file lists exactly the devices the fleets send readings of, at their own gateway. */
class FleetSiteTest {

    @Test
    void everyDeviceAFleetSendsIsListedAtItsGateway() {
        Site site = SiteLoader.parse(Fleet.siteYaml(List.of("bench-gw-001", "bench-gw-002")), "test");

        Fleet fleet = new Fleet("bench-gw-002", 0, 7, () -> 1_763_764_800_000L);
        Set<String> sent = new HashSet<>();
        for (int i = 0; i < fleet.deviceCount() * 3; i++) {
            sent.add(fleet.next().device());
        }
        Set<String> listedAtGw2 = site.devices().stream().filter(d -> "bench-gw-002".equals(d.gateway()))
                .map(d -> d.id()).collect(Collectors.toSet());
        assertThat(listedAtGw2).isEqualTo(sent).hasSize(fleet.deviceCount());
        assertThat(site.devices()).hasSize(2 * fleet.deviceCount());
        assertThat(site.gateways()).hasSize(2);
    }

    @Test
    void aFleetOfManyBuildingsIsListedWholeAndItsAlarmsComeFromItsSmokeDetectors() {
        Site site = SiteLoader.parse(Fleet.siteYaml(List.of("bench-gw-001"), 12), "test");

        Fleet fleet = new Fleet("bench-gw-001", 12, 0, 7, () -> 1_763_764_800_000L);
        Set<String> sent = new HashSet<>();
        for (int i = 0; i < fleet.deviceCount(); i++) {
            sent.add(fleet.next().device());
        }
        assertThat(fleet.deviceCount()).isEqualTo(1_200);
        assertThat(site.devices().stream().map(d -> d.id()).collect(Collectors.toSet())).isEqualTo(sent);
        Set<String> smoke = site.devices().stream().filter(d -> "smoke_detector".equals(d.type().wireName()))
                .map(d -> d.id()).collect(Collectors.toSet());
        Set<String> alarmed = new HashSet<>();
        for (int i = 0; i < smoke.size(); i++) {
            alarmed.add(fleet.alarm().device());
        }
        assertThat(alarmed).isEqualTo(smoke).hasSize(600);
    }
}
