package org.communityguard.hub.incident;

import static org.assertj.core.api.Assertions.assertThat;
import static org.communityguard.hub.incident.rules.Readings.event;
import static org.communityguard.hub.incident.rules.Readings.status;
import static org.communityguard.hub.incident.rules.Readings.telemetry;

import java.util.List;
import org.communityguard.hub.audit.AuditLog;
import org.communityguard.hub.incident.threshold.Thresholds;
import org.communityguard.hub.ingest.IncomingReading;
import org.junit.jupiter.api.Test;

/** The detector without a database: thresholds never loaded are the defaults. */
class IncidentDetectorTest {

    private final IncidentDetector detector = new IncidentDetector(new Thresholds(null, null));

    private Findings detect(IncomingReading... readings) {
        IncidentDetector.Round round = detector.round();
        round.detect("gw-1", List.of(readings));
        return round.findings();
    }

    private static IncomingReading leakage(long t, double ma) {
        return telemetry("lamp-b1-01", "lamp_post", t, "{\"leakage_ma\": " + ma + "}");
    }

    @Test
    void dispatchesByDeviceType() {
        Findings f = detect(
                event("smoke-b1-01", "smoke_detector", 1, "{\"event\": \"alarm\", \"level\": \"alarm\"}"),
                event("manhole-b1-01", "manhole", 2, "{\"event\": \"cover_opened\"}"),
                event("door-b1-01", "door_access", 3, "{\"event\": \"forced_open\"}"),
                event("lamp-b1-01", "lamp_post", 4, "{\"event\": \"tamper\"}"));

        assertThat(f.candidates()).extracting(Candidate::type).containsExactly(IncidentType.FIRE,
                IncidentType.COVER_DISPLACED, IncidentType.DOOR_FORCED, IncidentType.CABINET_OPEN);
    }

    @Test
    void aGatewayReportingADeviceOfflineIsDeviceOffline() {
        Findings f = detect(status("smoke-b1-02", "smoke_detector", 5, "{\"status\": \"offline\", \"reason\": \"silent\"}"),
                status("door-b1-01", "door_access", 6, "{\"status\": \"offline\"}"),
                status("door-b1-02", "door_access", 7, "{\"status\": \"online\"}"));

        assertThat(f.candidates()).hasSize(2);
        assertThat(f.candidates().get(0)).satisfies(c -> {
            assertThat(c.type()).isEqualTo(IncidentType.DEVICE_OFFLINE);
            assertThat(c.severity()).as("a silent smoke detector leaves its spot unprotected").isEqualTo(Severity.MAJOR);
            assertThat(c.details().path("offline_reason").asText()).isEqualTo("silent");
            assertThat(c.summary()).isEqualTo("Device offline: gateway gw-1 reports smoke-b1-02 offline (silent)");
        });
        assertThat(f.candidates().get(1).severity()).isEqualTo(Severity.MINOR);
    }

    @Test
    void aRolledBackRoundLeavesTheStateAsItWas() {
        detect(leakage(1, 40));
        IncidentDetector.Round failed = detector.round();
        failed.detect("gw-1", List.of(leakage(2, 40)));
        assertThat(failed.findings().candidates()).as("second reading over 30 mA: debounce met").hasSize(1);
        failed.rollback();

        // The same reading, stored again after the failure, is judged exactly as the first time.
        assertThat(detect(leakage(2, 40)).candidates()).hasSize(1);
    }

    @Test
    void withoutRollbackTheStateWouldHaveMovedOn() {
        detect(leakage(1, 40));
        detect(leakage(2, 40));
        Findings f = detect(leakage(3, 10));
        assertThat(f.notes()).hasSize(1);
        assertThat(detect(leakage(4, 40)).candidates()).as("raised again needs two readings again").isEmpty();
    }

    @Test
    void aGatewayLinkageIsANoteOnTheTriggeringFire() {
        Findings f = detect(new IncomingReading("gw-1", "gateway", "event", 10, 10, 10L, null, List.of(),
                org.communityguard.hub.incident.rules.Readings.json("{\"event\": \"linkage\", \"rule\": \"fire-evacuation\","
                        + " \"trigger_device\": \"smoke-b1-01\", \"trigger_event\": \"alarm\", \"actions\":"
                        + " [{\"device\": \"door-b1-01\", \"cmd\": \"door\", \"id\": \"c1\"}]}")));

        assertThat(f.notes()).singleElement().satisfies(n -> {
            assertThat(n.type()).isEqualTo(IncidentType.FIRE);
            assertThat(n.deviceId()).isEqualTo("smoke-b1-01");
            assertThat(n.action()).isEqualTo(Note.LINKAGE);
            assertThat(n.details().path("message").asText()).contains("1 command(s) by rule fire-evacuation");
        });
    }

    @Test
    void remembersWhenDevicesAndGatewaysWereLastHeard() {
        detect(leakage(1000, 1), status("door-b1-01", "door_access", 3000, "{\"status\": \"offline\"}"),
                leakage(2000, 1));
        IncidentDetector.Heard heard = detector.unpersisted();

        assertThat(heard.devices()).containsEntry("lamp-b1-01", 2000L)
                .as("an offline report is not a sign of life").doesNotContainKey("door-b1-01");
        assertThat(heard.gateways()).containsEntry("gw-1", 3000L);
        detector.persisted(heard);
        assertThat(detector.unpersisted().devices()).isEmpty();
    }
}
