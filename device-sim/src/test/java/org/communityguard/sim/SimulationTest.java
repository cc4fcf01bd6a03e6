package org.communityguard.sim;

import org.communityguard.sim.device.DoorAccess;
import org.communityguard.sim.device.Message;
import org.communityguard.sim.ledger.LedgerSnapshot;
import org.communityguard.sim.link.Outcome;
import org.communityguard.sim.site.Site;
import org.communityguard.sim.site.SiteLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The simulation's logic over in-memory links: rounds, scenarios, commands, ledger. No sockets. */
class SimulationTest {

    private static final Site SITE = SiteLoader.load(Path.of("src/test/resources/sites/small.yaml"));
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T04:00:00Z"), ZoneOffset.UTC);

    private final Map<String, RecordingLink> links = new HashMap<>();
    private Simulation simulation;

    @AfterEach
    void close() {
        if (simulation != null) {
            simulation.close();
        }
    }

    private Simulation start(SimConfig config) {
        simulation = new Simulation(config, device -> links.computeIfAbsent(device.id(), id -> new RecordingLink()));
        simulation.start();
        return simulation;
    }

    private static SimConfig manual() {
        return SimConfig.of(SITE, "tcp://unused:1883", URI.create("coap://unused"))
                .withInterval(Duration.ZERO)
                .withClock(CLOCK)
                .withTimeOfDay(LocalTime.NOON)
                .withScenarioStep(Duration.ofMillis(20));
    }

    @Test
    void aRoundIsOneTelemetryPerDeviceAllAcknowledged() throws Exception {
        start(manual());
        RoundResult round = simulation.sendTelemetryRound();

        assertThat(round).isEqualTo(new RoundResult(9, 9, 0, 0, 0));
        assertThat(links).hasSize(9);
        links.forEach((id, link) -> {
            assertThat(link.sent()).hasSize(1);
            Message m = link.sent().get(0);
            assertThat(m.kind()).isEqualTo(Message.Kind.TELEMETRY);
            assertThat(m.seq()).isZero();
            assertThat(m.ts()).isEqualTo(CLOCK.millis());
        });
        LedgerSnapshot ledger = simulation.ledger();
        assertThat(ledger.acknowledged()).hasSize(9).allSatisfy((id, seqs) -> assertThat(seqs).containsExactly(0L));

        simulation.sendTelemetryRound();
        assertThat(simulation.ledger().acknowledged("lamp-b1-01")).containsExactly(0L, 1L);
        assertThat(simulation.counts().acknowledged()).isEqualTo(18);
    }

    @Test
    void rejectionsAndFailuresLandInTheLedgerWithTheirCode() throws Exception {
        start(manual());
        links.get("smoke-b1-01").answer = m -> Outcome.rejected("4.00", "temp_c out of range");
        links.get("door-b1-01").answer = m -> Outcome.failed("not connected");

        RoundResult round = simulation.sendTelemetryRound();

        assertThat(round).isEqualTo(new RoundResult(9, 7, 1, 1, 0));
        LedgerSnapshot ledger = simulation.ledger();
        assertThat(ledger.rejected().get("smoke-b1-01")).containsExactly(Map.entry(0L, "4.00"));
        assertThat(ledger.failed().get("door-b1-01")).containsExactly(0L);
        assertThat(ledger.failureReasons()).containsEntry("not connected", 1L);
    }

    @Test
    void onlyTheSelectedDevicesAreSimulated() throws Exception {
        start(manual().withDevices(Set.of("lamp-b1-01", "door-b1-01")));
        assertThat(simulation.deviceIds()).containsExactly("door-b1-01", "lamp-b1-01");
        assertThat(simulation.sendTelemetryRound().sent()).isEqualTo(2);
        assertThat(simulation.mqttDeviceCount()).isEqualTo(2);
    }

    @Test
    void aFireAlarmsAtLeastTwoDetectorsOfThatBuildingOneAfterTheOther() {
        start(manual());
        simulation.stageFire("B1").orTimeout(30, TimeUnit.SECONDS).join();

        List<Message> all = new ArrayList<>();
        links.values().forEach(link -> all.addAll(link.sent()));
        List<Message> alarms = all.stream()
                .filter(m -> "alarm".equals(m.event()) && "alarm".equals(m.data().get("level")))
                .toList();
        Set<String> alarmed = alarms.stream().map(Message::deviceId).collect(Collectors.toSet());
        assertThat(alarmed).hasSizeGreaterThanOrEqualTo(2).allMatch(id -> id.startsWith("smoke-b1-"));
        assertThat(alarmed).containsExactlyInAnyOrder("smoke-b1-01", "smoke-b1-02", "smoke-b1-03");
        assertThat(all).noneMatch(m -> m.deviceId().equals("smoke-b2-01"));

        for (String id : alarmed) {
            List<Message> sent = links.get(id).sent();
            assertThat(sent).extracting(m -> m.kind() == Message.Kind.EVENT ? m.data().get("level") : "t")
                    .containsExactly("t", "pre_alarm", "t", "alarm", "t", "t");
            assertThat(sent.get(sent.size() - 1).data()).containsEntry("alarm", true);
            assertThat((double) sent.get(sent.size() - 1).data().get("smoke_obscuration_pct_m"))
                    .isGreaterThan((double) sent.get(0).data().get("smoke_obscuration_pct_m"));
        }
        assertThat(simulation.ledger().acknowledged("smoke-b1-01")).hasSize(6);
        assertThat(simulation.device("smoke-b1-01", org.communityguard.sim.device.SmokeDetector.class).alarm()).isTrue();
    }

    @Test
    void fireDetectorsFollowEachOtherInTime() {
        start(manual().withClock(Clock.systemUTC()));
        simulation.stageFire("B1").orTimeout(30, TimeUnit.SECONDS).join();

        long firstAlarm = links.get("smoke-b1-01").sent().stream().filter(m -> "alarm".equals(m.event()))
                .filter(m -> "alarm".equals(m.data().get("level"))).findFirst().orElseThrow().ts();
        long secondStart = links.get("smoke-b1-02").sent().get(0).ts();
        assertThat(secondStart).isGreaterThanOrEqualTo(firstAlarm);
    }

    @Test
    void resettingAFireClearsTheAlarm() {
        start(manual());
        simulation.stageFire("B2").orTimeout(30, TimeUnit.SECONDS).join();
        simulation.reset("smoke-b2-01").orTimeout(30, TimeUnit.SECONDS).join();

        List<Message> sent = links.get("smoke-b2-01").sent();
        assertThat(sent.get(sent.size() - 2).event()).isEqualTo("alarm_cleared");
        assertThat(sent.get(sent.size() - 1).data()).containsEntry("alarm", false);
    }

    @Test
    void aRaisedAlarmIsTheNextReportWithTheAlarmEventFirstAndStaysUntilReset() {
        start(manual());
        Alarm alarm = simulation.raiseAlarm("smoke-b1-03");

        List<Message> sent = links.get("smoke-b1-03").sent();
        assertThat(sent).hasSize(2);
        assertThat(sent.get(0).event()).isEqualTo("alarm");
        assertThat(sent.get(0).data()).containsEntry("level", "alarm");
        assertThat(sent.get(1).data()).containsEntry("alarm", true);
        assertThat(alarm).isEqualTo(new Alarm("smoke-b1-03", sent.get(0).seq(), CLOCK.millis()));
        assertThat(simulation.ledger().acknowledged("smoke-b1-03")).contains(alarm.seq());
        assertThatThrownBy(() -> simulation.raiseAlarm("smoke-b1-03")).hasMessageContaining("already in alarm");

        join(simulation.reset("smoke-b1-03"));
        assertThat(simulation.raiseAlarm("smoke-b1-03").seq()).isGreaterThan(alarm.seq());
    }

    @Test
    void everyScenarioSendsItsEvidence() {
        start(manual());
        join(simulation.pressTestButton("smoke-b1-04"));
        join(simulation.displaceCover("manhole-b1-01"));
        join(simulation.raiseWater("manhole-street-1"));
        join(simulation.leakInRain("lamp-b1-01"));
        join(simulation.forceDoor("door-b1-01"));

        assertThat(events("smoke-b1-04")).containsExactly("test");
        assertThat(events("manhole-b1-01")).containsExactly("cover_opened");
        assertThat(lastTelemetry("manhole-b1-01")).containsEntry("cover_open", true);
        assertThat((double) lastTelemetry("manhole-street-1").get("water_below_cover_cm")).isLessThan(10);
        assertThat(links.get("manhole-street-1").sent()).hasSize(6);
        assertThat((double) lastTelemetry("lamp-b1-01").get("leakage_ma")).isGreaterThan(30);
        assertThat(events("door-b1-01")).containsExactly("forced_open");

        join(simulation.reset("door-b1-01"));
        join(simulation.holdDoorOpen("door-b1-01", Duration.ofMinutes(3)));
        assertThat(events("door-b1-01")).containsExactly("forced_open", "access", "held_open");

        join(simulation.releaseToxicGas("manhole-b1-01"));
        assertThat((double) lastTelemetry("manhole-b1-01").get("ch4_pct_lel")).isGreaterThan(30);
    }

    @Test
    void bruteForceIsManyDeniedAttemptsAtOneDoor() {
        start(manual());
        join(simulation.bruteForce("door-b1-01", 6));

        List<Message> sent = links.get("door-b1-01").sent();
        assertThat(sent).hasSize(6).allSatisfy(m -> assertThat(m.data())
                .containsEntry("event", "access").containsEntry("result", "denied").containsEntry("method", "card"));
        assertThat(sent).extracting(Message::seq).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void aKnownSubjectIsSentRawForTheGatewayToPseudonymize() {
        start(manual());
        join(simulation.access("door-b1-01", "CARD-0012345678", true));
        assertThat(links.get("door-b1-01").sent().get(0).data())
                .containsEntry("subject", "CARD-0012345678").containsEntry("result", "granted");
    }

    @Test
    void scenariosCheckTheirTarget() {
        start(manual());
        assertThatThrownBy(() -> simulation.stageFire("B9")).hasMessageContaining("no simulated smoke detector in building 'B9'");
        assertThatThrownBy(() -> simulation.displaceCover("lamp-b1-01")).hasMessage("lamp-b1-01 is a lamp_post, not a Manhole");
        assertThatThrownBy(() -> simulation.forceDoor("door-x")).hasMessage("no simulated device 'door-x'");
        assertThatThrownBy(() -> simulation.bruteForce("door-b1-01", 0)).hasMessageContaining("attempts");
    }

    @Test
    void aDoorReleaseCommandIsRecordedAppliedAcknowledgedAndSeenInTheNextTelemetry() throws Exception {
        start(manual());
        RecordingLink door = links.get("door-b1-01");
        door.command("{\"cmd\":\"door\",\"action\":\"release\",\"id\":\"cmd-17\"}");

        await().atMost(Duration.ofSeconds(10)).until(() -> !door.sent().isEmpty());
        assertThat(door.sent().get(0).data()).isEqualTo(Map.of("event", "command_ack", "id", "cmd-17"));
        assertThat(simulation.commandsReceived()).singleElement().satisfies(c -> {
            assertThat(c.deviceId()).isEqualTo("door-b1-01");
            assertThat(c.command().id()).isEqualTo("cmd-17");
            assertThat(c.applied()).isTrue();
        });
        assertThat(simulation.device("door-b1-01", DoorAccess.class).locked()).isFalse();

        simulation.sendTelemetryRound();
        assertThat(door.sent().get(1).data()).containsEntry("locked", false);
    }

    @Test
    void aRepeatedCommandIsAppliedOnceAndReacknowledgedOnlyIfTheAckFailed() throws Exception {
        start(manual());
        RecordingLink detector = links.get("smoke-b1-01");
        detector.answer = m -> Outcome.failed("no answer");
        String pending = "[{\"cmd\":\"siren\",\"on\":true,\"id\":\"c-1\"}]";
        detector.command(pending);
        await().atMost(Duration.ofSeconds(10)).until(() -> detector.sent().size() == 1);

        detector.answer = m -> Outcome.acknowledged();
        detector.command(pending);
        await().atMost(Duration.ofSeconds(10)).until(() -> detector.sent().size() == 2);
        detector.command(pending);
        simulation.sendTelemetryRound();

        assertThat(detector.sent()).extracting(Message::event).containsExactly("command_ack", "command_ack", null);
        assertThat(detector.sent().get(2).data()).containsEntry("siren", true);
        assertThat(simulation.commandsReceived()).hasSize(1);
    }

    @Test
    void commandsNotUnderstoodAreRecordedButNotAcknowledgedAndGarbageIsCounted() throws Exception {
        start(manual());
        RecordingLink manhole = links.get("manhole-b1-01");
        manhole.command("{\"cmd\":\"lamp\",\"on\":true,\"id\":\"c-9\"}");
        manhole.command("this is not json");
        manhole.downlink.commands(new byte[] {(byte) 0xff, 0x00}, true);

        await().atMost(Duration.ofSeconds(10)).until(() -> simulation.unreadableCommands() == 2);
        assertThat(simulation.commandsReceived()).singleElement().satisfies(c -> assertThat(c.applied()).isFalse());
        assertThat(simulation.sendTelemetryRound().acknowledged()).isEqualTo(9);
        assertThat(manhole.sent()).extracting(Message::kind).containsExactly(Message.Kind.TELEMETRY);
    }

    @Test
    void gatewayErrorsAreCounted() {
        start(manual());
        links.get("lamp-b1-01").downlink.gatewayError("{\"error\":\"bad_message\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(simulation.gatewayErrors()).isEqualTo(1);
    }

    @Test
    void aSilencedDeviceSendsNothingUntilRevived() throws Exception {
        start(manual());
        simulation.silence("lamp-b1-01");
        assertThat(links.get("lamp-b1-01").drops).isEqualTo(1);
        assertThat(simulation.sendTelemetryRound().sent()).isEqualTo(8);
        assertThat(simulation.connectedCount()).isEqualTo(1);

        simulation.revive("lamp-b1-01");
        simulation.sendTelemetryRound();
        // No seq is used while silent: the gateway sees a pause, not a gap.
        assertThat(links.get("lamp-b1-01").sent()).extracting(Message::seq).containsExactly(0L);
        assertThat(simulation.awaitConnected(Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void periodicReportsRunOnTheirOwnWithContiguousSeqs() {
        start(manual().withInterval(Duration.ofMillis(50)).withAmbientEvents(false));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(links.values()).allSatisfy(link -> assertThat(link.sent()).hasSizeGreaterThanOrEqualTo(3)));
        simulation.close();
        links.forEach((id, link) -> {
            List<Long> seqs = link.sent().stream().map(Message::seq).toList();
            for (int i = 0; i < seqs.size(); i++) {
                assertThat(seqs.get(i)).as(id).isEqualTo(i);
            }
        });
        LedgerSnapshot ledger = simulation.ledger();
        assertThat(ledger.pendingCount()).isZero();
        assertThat(ledger.acknowledgedCount()).isEqualTo(ledger.sentCount());
    }

    @Test
    void aDeviceStartsReportingOnlyOnceItHasJoinedTheNetwork() {
        RecordingLink late = new RecordingLink();
        late.reachable = false;
        links.put("door-b1-01", late);
        start(manual().withInterval(Duration.ofMillis(50)).withAmbientEvents(false));

        await().atMost(Duration.ofSeconds(30)).until(() -> links.get("lamp-b1-01").sent().size() >= 3);
        assertThat(late.sent()).isEmpty();
        assertThat(simulation.ledger().sent()).doesNotContainKey("door-b1-01");

        late.reachable = true;
        await().atMost(Duration.ofSeconds(30)).until(() -> !late.sent().isEmpty());
        assertThat(late.sent().get(0).seq()).isZero();
    }

    @Test
    void acknowledgementLatencyIsRecordedForEveryAcknowledgedMessage() throws Exception {
        start(manual());
        links.get("smoke-b1-01").answer = m -> Outcome.failed("no answer");
        simulation.sendTelemetryRound();

        assertThat(simulation.awaitSettled(Duration.ofSeconds(5))).isTrue();
        assertThat(simulation.ackLatencyMicros().getTotalCount()).isEqualTo(8);
    }

    @Test
    void aSimulationMustBeStartedBeforeUseAndClosesOnce() {
        simulation = new Simulation(manual(), device -> links.computeIfAbsent(device.id(), id -> new RecordingLink()));
        assertThatThrownBy(simulation::sendTelemetryRound).hasMessage("call start() first");
        simulation.start();
        assertThatThrownBy(simulation::start).isInstanceOf(IllegalStateException.class);
        simulation.close();
        simulation.close();
        assertThatThrownBy(() -> simulation.stageFire("B1")).hasMessage("the simulation is closed");
        assertThat(links.values()).allSatisfy(link -> assertThat(link.open).isFalse());
    }

    private List<String> events(String deviceId) {
        return links.get(deviceId).sent().stream().map(Message::event).filter(e -> e != null).toList();
    }

    private Map<String, Object> lastTelemetry(String deviceId) {
        List<Message> sent = links.get(deviceId).sent();
        return sent.stream().filter(m -> m.kind() == Message.Kind.TELEMETRY).reduce((a, b) -> b).orElseThrow().data();
    }

    private static void join(java.util.concurrent.CompletableFuture<Void> scenario) {
        scenario.orTimeout(30, TimeUnit.SECONDS).join();
    }
}
