package org.communityguard.sim.device;

import org.communityguard.sim.site.DeviceType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.communityguard.sim.device.Devices.T0;
import static org.communityguard.sim.device.Devices.at;
import static org.communityguard.sim.device.Devices.create;
import static org.communityguard.sim.device.Devices.events;
import static org.communityguard.sim.device.Devices.telemetry;

/** State changes and the events devices raise for them; commands and how they show in later telemetry. */
class DeviceBehaviourTest {

    private static final Moment NOON = at(LocalTime.NOON);

    @Test
    void aFireRaisesPreAlarmThenAlarmAndClearsAfterReset() {
        SmokeDetector detector = create("smoke-1", DeviceType.SMOKE_DETECTOR, SmokeDetector.class);
        detector.ignite();
        List<List<Message>> reports = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            reports.add(detector.report(NOON));
        }

        assertThat(events(reports.get(0))).isEmpty();
        assertThat(events(reports.get(1))).containsExactly(Map.of("event", "alarm", "level", "pre_alarm"));
        assertThat(events(reports.get(2))).containsExactly(Map.of("event", "alarm", "level", "alarm"));
        assertThat(telemetry(reports.get(2))).containsEntry("alarm", true);
        assertThat((double) telemetry(reports.get(3)).get("smoke_obscuration_pct_m"))
                .isGreaterThan((double) telemetry(reports.get(0)).get("smoke_obscuration_pct_m"));
        assertThat((double) telemetry(reports.get(3)).get("temp_c")).isGreaterThan(40);
        assertThat(events(reports.get(3))).isEmpty();
        assertThat(detector.alarm()).isTrue();

        detector.reset();
        List<Message> cleared = detector.report(NOON);
        assertThat(events(cleared)).containsExactly(Map.of("event", "alarm_cleared"));
        assertThat(telemetry(cleared)).containsEntry("alarm", false);
        assertThat(events(detector.report(NOON))).isEmpty();
    }

    @Test
    void theTestButtonIsATestEventNeverAnAlarm() {
        SmokeDetector detector = create("smoke-1", DeviceType.SMOKE_DETECTOR, SmokeDetector.class);
        detector.pressTestButton();
        List<Message> report = detector.report(NOON);

        assertThat(report.get(0).kind()).isEqualTo(Message.Kind.EVENT);
        assertThat(report.get(0).event()).isEqualTo("test");
        assertThat(telemetry(report)).containsEntry("alarm", false);
        assertThat(events(detector.report(NOON))).isEmpty();
    }

    @Test
    void aDisplacedCoverIsAnnouncedOpenedAndClosed() {
        Manhole manhole = create("manhole-1", DeviceType.MANHOLE, Manhole.class);
        manhole.displaceCover();
        List<Message> opened = manhole.report(NOON);
        assertThat(events(opened)).containsExactly(Map.of("event", "cover_opened"));
        assertThat(telemetry(opened)).containsEntry("cover_open", true);
        assertThat((double) telemetry(opened).get("tilt_deg")).isGreaterThan(20);
        assertThat(events(manhole.report(NOON))).isEmpty();

        manhole.reset();
        List<Message> closed = manhole.report(NOON);
        assertThat(events(closed)).containsExactly(Map.of("event", "cover_closed"));
        assertThat(telemetry(closed)).containsEntry("cover_open", false);
    }

    @Test
    void floodWaterRisesTowardTheCoverAndGasClimbs() {
        Manhole manhole = create("manhole-1", DeviceType.MANHOLE, Manhole.class);
        double before = (double) telemetry(manhole.report(NOON)).get("water_below_cover_cm");
        manhole.startFlood();
        manhole.startGasLeak();
        List<Double> water = new ArrayList<>();
        Map<String, Object> last = Map.of();
        for (int i = 0; i < 6; i++) {
            last = telemetry(manhole.report(NOON));
            water.add((double) last.get("water_below_cover_cm"));
        }
        assertThat(water).isSortedAccordingTo((a, b) -> Double.compare(b, a));
        assertThat(water.get(0)).isLessThan(before);
        assertThat(water.get(5)).isLessThan(10);
        assertThat((double) last.get("ch4_pct_lel")).isGreaterThan(30);
        assertThat((double) last.get("h2s_ppm")).isGreaterThan(40);
    }

    @Test
    void rainDrivesLampLeakagePast30mA() {
        LampPost lamp = create("lamp-1", DeviceType.LAMP_POST, LampPost.class);
        lamp.startRain();
        List<Double> leakage = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            leakage.add((double) telemetry(lamp.report(NOON)).get("leakage_ma"));
        }
        assertThat(leakage).isSorted();
        assertThat(leakage.get(0)).isLessThan(30);
        assertThat(leakage.get(3)).isGreaterThan(30);
    }

    @Test
    void doorReleaseAndLockCommandsShowInTheNextTelemetry() {
        DoorAccess door = create("door-1", DeviceType.DOOR_ACCESS, DoorAccess.class);
        assertThat(telemetry(door.report(NOON))).containsEntry("locked", true).containsEntry("door_open", false);

        assertThat(door.apply(new Command("c-1", "door", Map.of("cmd", "door", "action", "release")))).isTrue();
        assertThat(telemetry(door.report(NOON))).containsEntry("locked", false);

        assertThat(door.apply(new Command("c-2", "door", Map.of("cmd", "door", "action", "lock")))).isTrue();
        assertThat(telemetry(door.report(NOON))).containsEntry("locked", true);

        assertThat(door.apply(new Command("c-3", "door", Map.of("cmd", "door", "action", "explode")))).isFalse();
        assertThat(door.apply(new Command("c-4", "lamp", Map.of("cmd", "lamp", "on", true)))).isFalse();
    }

    @Test
    void lampAndSirenCommandsShowInTheNextTelemetry() {
        LampPost lamp = create("lamp-1", DeviceType.LAMP_POST, LampPost.class);
        assertThat(telemetry(lamp.report(NOON))).containsEntry("lamp_on", false).doesNotContainKeys("flash", "siren");

        assertThat(lamp.apply(new Command("c-1", "lamp", Map.of("on", true, "dim_pct", 100, "flash", true)))).isTrue();
        assertThat(lamp.apply(new Command("c-2", "siren", Map.of("on", true)))).isTrue();
        Map<String, Object> lit = telemetry(lamp.report(NOON));
        assertThat(lit).containsEntry("lamp_on", true).containsEntry("dim_pct", 100)
                .containsEntry("flash", true).containsEntry("siren", true);
        assertThat((double) lit.get("power_w")).isGreaterThan(50);

        assertThat(lamp.apply(new Command("c-3", "lamp", Map.of("dim_pct", 30)))).isTrue();
        assertThat(telemetry(lamp.report(NOON))).containsEntry("dim_pct", 30);
        assertThat(lamp.apply(new Command("c-4", "lamp", Map.of("dim_pct", 300)))).isFalse();
        assertThat(lamp.apply(new Command("c-5", "siren", Map.of("on", "loud")))).isFalse();
    }

    @Test
    void aGrantedAccessOpensTheDoorForOnePassageThenItRelocks() {
        DoorAccess door = create("door-1", DeviceType.DOOR_ACCESS, DoorAccess.class);
        String card = door.residentCard();
        door.access(at(T0, LocalTime.NOON), card, "card", true);
        List<Message> report = door.report(at(T0.plusSeconds(1), LocalTime.NOON));

        assertThat(events(report)).containsExactly(
                Map.of("event", "access", "result", "granted", "method", "card", "subject", card));
        assertThat(card).matches("CARD-\\d{10}");
        assertThat(telemetry(report)).containsEntry("door_open", true).containsEntry("locked", false);

        Map<String, Object> later = telemetry(door.report(at(T0.plusSeconds(30), LocalTime.NOON)));
        assertThat(later).containsEntry("door_open", false).containsEntry("locked", true).containsEntry("open_s", 0L);
    }

    @Test
    void aForcedDoorIsReportedOnceAndAPropDoorAsHeldOpen() {
        DoorAccess door = create("door-1", DeviceType.DOOR_ACCESS, DoorAccess.class);
        door.force(NOON);
        List<Message> forced = door.report(NOON);
        assertThat(events(forced)).containsExactly(Map.of("event", "forced_open"));
        assertThat(telemetry(forced)).containsEntry("door_open", true).containsEntry("locked", true);
        assertThat(events(door.report(NOON))).isEmpty();
        door.reset();
        assertThat(telemetry(door.report(NOON))).containsEntry("door_open", false);

        door.holdOpen(NOON, Duration.ofSeconds(90));
        List<Message> held = door.report(NOON);
        assertThat(events(held)).extracting(e -> e.get("event")).containsExactly("access", "held_open");
        assertThat(events(held).get(1)).containsEntry("open_s", 90L);
        assertThat(telemetry(held)).containsEntry("door_open", true).containsEntry("open_s", 90L);
    }

    @Test
    void ordinaryLifeBringsMostlyGrantedAccessesWithRealisticSubjects() {
        DoorAccess door = create("door-1", DeviceType.DOOR_ACCESS, DoorAccess.class);
        List<Map<String, Object>> accesses = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            door.live(NOON);
            accesses.addAll(events(door.flushEvents(NOON)));
        }
        assertThat(accesses).hasSizeBetween(300, 900);
        assertThat(accesses).allSatisfy(e -> {
            assertThat(e).containsEntry("event", "access").containsKeys("result", "method", "subject");
            assertThat((String) e.get("subject")).matches("(CARD-\\d{10}|FACE-\\d{8}|PIN-\\d{4}|QR-[0-9a-f]{8}|GUARD-01)");
        });
        long granted = accesses.stream().filter(e -> e.get("result").equals("granted")).count();
        assertThat(granted).isGreaterThan(accesses.size() * 8L / 10);
        assertThat(accesses).anySatisfy(e -> assertThat(e).containsEntry("result", "denied"));
    }

    @Test
    void seqCountsFromZeroAndWrapsAt2To32() {
        DoorAccess door = create("door-1", DeviceType.DOOR_ACCESS, DoorAccess.class);
        assertThat(door.report(NOON).get(0).seq()).isZero();
        assertThat(door.event(NOON, Map.of("event", "tamper")).seq()).isEqualTo(1);

        door.startSeqAt(4_294_967_294L);
        List<Long> seqs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            seqs.add(door.report(NOON).get(0).seq());
        }
        assertThat(seqs).containsExactly(4_294_967_294L, 4_294_967_295L, 0L, 1L);
    }

    @Test
    void everyMessageCarriesTypeTsAndData() {
        SmokeDetector detector = create("smoke-1", DeviceType.SMOKE_DETECTOR, SmokeDetector.class);
        Message m = detector.report(NOON).get(0);
        assertThat(m.deviceId()).isEqualTo("smoke-1");
        assertThat(m.type()).isEqualTo(DeviceType.SMOKE_DETECTOR);
        assertThat(m.ts()).isEqualTo(T0.toEpochMilli());
        assertThat(m.event()).isNull();
    }
}
