package org.communityguard.sim.site;

import java.util.List;
import java.util.Optional;

/** A community as described by its site file (docs/site-file.md), already validated. */
public record Site(String community, String name, List<Gateway> gateways, List<Building> buildings,
                   List<SiteDevice> devices) {

    public Site {
        gateways = List.copyOf(gateways);
        buildings = List.copyOf(buildings);
        devices = List.copyOf(devices);
    }

    public Optional<SiteDevice> device(String id) {
        return devices.stream().filter(d -> d.id().equals(id)).findFirst();
    }

    public Optional<Building> building(String id) {
        return buildings.stream().filter(b -> b.id().equals(id)).findFirst();
    }
}
