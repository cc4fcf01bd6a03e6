package org.communityguard.sim.device;

import org.communityguard.sim.site.DeviceType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.communityguard.sim.device.Devices.at;
import static org.communityguard.sim.device.Devices.create;
import static org.communityguard.sim.device.Devices.telemetry;

/** Every telemetry field of every type stays of the profile's JSON type and in its range, in calm and in trouble. */
class TelemetryRangesTest {

    private static final int STEPS = 3_000;

    @Test
    void lampPostsStayInRangeDayAndNightAndInRain() {
        LampPost lamp = create("lamp-1", DeviceType.LAMP_POST, LampPost.class);
        List<Message> all = run(lamp, STEPS);
        lamp.startRain();
        all.addAll(run(lamp, 50));
        lamp.apply(new Command("c1", "lamp", Map.of("on", true, "dim_pct", 100, "flash", true)));
        all.addAll(run(lamp, 50));
        assertAllInRange(all, DeviceType.LAMP_POST);
    }

    @Test
    void manholesStayInRangeAlsoInFloodGasAndWithTheCoverOff() {
        Manhole manhole = create("manhole-1", DeviceType.MANHOLE, Manhole.class);
        List<Message> all = run(manhole, STEPS);
        manhole.startFlood();
        manhole.startGasLeak();
        manhole.displaceCover();
        all.addAll(run(manhole, 50));
        assertAllInRange(all, DeviceType.MANHOLE);
    }

    @Test
    void smokeDetectorsStayInRangeAlsoInAFire() {
        SmokeDetector detector = create("smoke-1", DeviceType.SMOKE_DETECTOR, SmokeDetector.class);
        List<Message> all = run(detector, STEPS);
        detector.ignite();
        all.addAll(run(detector, 50));
        assertAllInRange(all, DeviceType.SMOKE_DETECTOR);
    }

    @Test
    void doorsStayInRangeWithTrafficForcingAndPropping() {
        DoorAccess door = create("door-1", DeviceType.DOOR_ACCESS, DoorAccess.class);
        List<Message> all = new ArrayList<>();
        for (int i = 0; i < STEPS; i++) {
            Moment moment = moment(i);
            door.live(moment);
            all.addAll(door.report(moment));
        }
        door.force(moment(STEPS));
        all.addAll(door.report(moment(STEPS + 1)));
        door.holdOpen(moment(STEPS + 2), Duration.ofHours(30));
        all.addAll(door.report(moment(STEPS + 3)));
        assertAllInRange(all, DeviceType.DOOR_ACCESS);
    }

    @Test
    void calmReadingsLookLikeACalmCommunity() {
        LampPost lamp = create("lamp-1", DeviceType.LAMP_POST, LampPost.class);
        Map<String, Object> night = telemetry(lamp.report(at(LocalTime.of(21, 0))));
        Map<String, Object> lateNight = telemetry(lamp.report(at(LocalTime.of(2, 0))));
        Map<String, Object> noon = telemetry(lamp.report(at(LocalTime.of(12, 0))));
        assertThat(night).containsEntry("lamp_on", true).containsEntry("dim_pct", 100);
        assertThat((double) night.get("power_w")).isGreaterThan(50);
        assertThat(lateNight).containsEntry("dim_pct", 50);
        assertThat((double) lateNight.get("power_w")).isLessThan((double) night.get("power_w"));
        assertThat(noon).containsEntry("lamp_on", false).containsEntry("dim_pct", 0);
        assertThat((double) noon.get("power_w")).isLessThan(5);
        assertThat((double) noon.get("lux")).isGreaterThan(10_000);
        assertThat((double) noon.get("leakage_ma")).isBetween(0.0, 10.0);

        Manhole manhole = create("manhole-1", DeviceType.MANHOLE, Manhole.class);
        for (Message m : run(manhole, 500)) {
            assertThat((double) m.data().get("water_below_cover_cm")).isGreaterThan(30);
            assertThat((double) m.data().get("ch4_pct_lel")).isLessThan(2);
            assertThat(m.data()).containsEntry("cover_open", false);
        }
        double batteryBefore = (double) telemetry(run(manhole, 1)).get("battery_pct");
        double batteryAfter = (double) telemetry(run(manhole, 1_000)).get("battery_pct");
        assertThat(batteryAfter).isLessThan(batteryBefore).isGreaterThan(batteryBefore - 5);

        SmokeDetector detector = create("smoke-1", DeviceType.SMOKE_DETECTOR, SmokeDetector.class);
        for (Message m : run(detector, 500)) {
            assertThat(m.kind()).isEqualTo(Message.Kind.TELEMETRY);
            assertThat((double) m.data().get("smoke_obscuration_pct_m")).isLessThan(1);
            assertThat((double) m.data().get("temp_c")).isBetween(15.0, 30.0);
            assertThat(m.data()).containsEntry("alarm", false);
        }
    }

    @Test
    void theSameSeedGivesTheSameReadings() {
        List<Message> first = run(create("lamp-1", DeviceType.LAMP_POST, LampPost.class), 20);
        List<Message> second = run(create("lamp-1", DeviceType.LAMP_POST, LampPost.class), 20);
        assertThat(second).isEqualTo(first);
    }

    /** Reports at a time of day that sweeps through several days. */
    private static List<Message> run(SimDevice device, int steps) {
        List<Message> out = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            out.addAll(device.report(moment(i)));
        }
        return out;
    }

    private static Moment moment(int step) {
        return at(Devices.T0.plusSeconds(step * 60L), LocalTime.ofSecondOfDay((step * 600L) % 86_400));
    }

    private static void assertAllInRange(List<Message> messages, DeviceType type) {
        Map<String, Profile.Field> fields = Profile.TELEMETRY.get(type);
        List<Message> telemetry = messages.stream().filter(m -> m.kind() == Message.Kind.TELEMETRY).toList();
        assertThat(telemetry).isNotEmpty();
        for (Message m : telemetry) {
            assertThat(m.type()).isEqualTo(type);
            assertThat(m.data()).as("seq %d", m.seq()).containsKeys(fields.keySet().toArray(String[]::new));
            fields.forEach((name, field) -> {
                Object value = m.data().get(name);
                if (field.isBool()) {
                    assertThat(value).as("%s at seq %d", name, m.seq()).isInstanceOf(Boolean.class);
                } else {
                    assertThat(value).as("%s at seq %d", name, m.seq()).isInstanceOf(Number.class);
                    assertThat(((Number) value).doubleValue()).as("%s at seq %d", name, m.seq())
                            .isBetween(field.min(), field.max());
                }
            });
        }
        for (int i = 1; i < messages.size(); i++) {
            assertThat(messages.get(i).seq()).isEqualTo(messages.get(i - 1).seq() + 1);
        }
    }
}
