package org.communityguard.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PlanLayoutTest {

    @Test
    void positionsFromTheSiteFileAreKept() {
        PlanLayout.Plan plan = PlanLayout.layout(
                List.of(new PlanLayout.Item("B1", 22.0, 30.0)),
                List.of(new PlanLayout.DeviceItem("lamp-1", "B1", 80.0, 90.0)));
        assertThat(plan.buildings().get("B1")).isEqualTo(new PlanLayout.Position(22, 30, "site_file"));
        assertThat(plan.devices().get("lamp-1")).isEqualTo(new PlanLayout.Position(80, 90, "site_file"));
    }

    @Test
    void buildingsWithoutPositionsGoOnAGridAndNeverOverlap() {
        List<PlanLayout.Item> buildings = List.of(new PlanLayout.Item("B1", null, null),
                new PlanLayout.Item("B2", null, null), new PlanLayout.Item("B3", null, null),
                new PlanLayout.Item("B4", null, null), new PlanLayout.Item("B5", null, null));
        PlanLayout.Plan plan = PlanLayout.layout(buildings, List.of());
        // 5 buildings: a 3 x 2 grid, in site-file order, row by row.
        assertThat(plan.buildings().get("B1").x()).isLessThan(plan.buildings().get("B2").x());
        assertThat(plan.buildings().get("B4").y()).isGreaterThan(plan.buildings().get("B1").y());
        assertThat(plan.buildings().values()).allSatisfy(p -> {
            assertThat(p.source()).isEqualTo("auto");
            assertThat(p.x()).isBetween(0.0, 100.0);
            assertThat(p.y()).isBetween(0.0, PlanLayout.BOTTOM_ROW_Y);
        });
        assertThat(plan.buildings().values().stream().map(p -> p.x() + "," + p.y()).distinct()).hasSize(5);
    }

    @Test
    void devicesRingTheirBuildingAndTheHomelessLineTheBottom() {
        PlanLayout.Plan plan = PlanLayout.layout(
                List.of(new PlanLayout.Item("B1", 50.0, 50.0)),
                List.of(new PlanLayout.DeviceItem("a", "B1", null, null), new PlanLayout.DeviceItem("b", "B1", null, null),
                        new PlanLayout.DeviceItem("c", "B1", null, null), new PlanLayout.DeviceItem("d", "B1", null, null),
                        new PlanLayout.DeviceItem("street-1", null, null, null),
                        new PlanLayout.DeviceItem("street-2", "nowhere", null, null)));
        PlanLayout.Position a = plan.devices().get("a");
        assertThat(a.x()).isEqualTo(50.0);
        assertThat(a.y()).as("the first device sits above its building").isLessThan(50.0);
        double r = Math.hypot(a.x() - 50, a.y() - 50);
        for (String id : List.of("b", "c", "d")) {
            PlanLayout.Position p = plan.devices().get(id);
            assertThat(Math.hypot(p.x() - 50, p.y() - 50)).isCloseTo(r, org.assertj.core.data.Offset.offset(0.05));
        }
        assertThat(plan.devices().get("street-1").y()).isEqualTo(PlanLayout.BOTTOM_ROW_Y);
        assertThat(plan.devices().get("street-2").y()).isEqualTo(PlanLayout.BOTTOM_ROW_Y);
        assertThat(plan.devices().keySet()).containsExactly("a", "b", "c", "d", "street-1", "street-2");
    }
}
