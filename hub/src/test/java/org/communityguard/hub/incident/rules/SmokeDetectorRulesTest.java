package org.communityguard.hub.incident.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.communityguard.hub.incident.rules.Readings.event;
import static org.communityguard.hub.incident.rules.Readings.telemetry;

import java.util.Map;
import org.communityguard.hub.incident.Candidate;
import org.communityguard.hub.incident.Findings;
import org.communityguard.hub.incident.IncidentType;
import org.communityguard.hub.incident.Note;
import org.communityguard.hub.incident.Severity;
import org.communityguard.hub.incident.threshold.Threshold;
import org.communityguard.hub.incident.threshold.ThresholdSet;
import org.junit.jupiter.api.Test;

class SmokeDetectorRulesTest {

    private static final String TYPE = "smoke_detector";
    private final Readings.Run<SmokeDetectorRules.State> run = new Readings.Run<>(new SmokeDetectorRules());

    private Findings telemetryAt(long t, String data) {
        return run.judge(telemetry("smoke-b1-01", TYPE, t, data));
    }

    private Findings eventAt(long t, String data) {
        return run.judge(event("smoke-b1-01", TYPE, t, data));
    }

    @Test
    void theDetectorsAlarmEventIsAFireAtOnce() {
        Findings f = eventAt(1000, "{\"event\": \"alarm\", \"level\": \"alarm\"}");

        assertThat(f.candidates()).singleElement().satisfies(c -> {
            assertThat(c.type()).isEqualTo(IncidentType.FIRE);
            assertThat(c.severity()).isEqualTo(Severity.CRITICAL);
            assertThat(c.deviceId()).isEqualTo("smoke-b1-01");
            assertThat(c.gatewayId()).isEqualTo("gw-1");
            assertThat(c.occurredAt()).isEqualTo(1000L);
            assertThat(c.details().path("reason").asText()).isEqualTo("smoke detector alarm");
            assertThat(c.details().path("reading").path("level").asText()).isEqualTo("alarm");
        });
    }

    @Test
    void telemetryAlarmDenseSmokeOrHeatIsAFire() {
        assertThat(types(telemetryAt(1000, "{\"alarm\": true}"))).containsExactly(IncidentType.FIRE);
        Readings.Run<SmokeDetectorRules.State> other = new Readings.Run<>(new SmokeDetectorRules());
        assertThat(other.judge(telemetry("d", TYPE, 1, "{\"smoke_obscuration_pct_m\": 9.99}")).candidates()).isEmpty();
        assertThat(other.judge(telemetry("d", TYPE, 2, "{\"smoke_obscuration_pct_m\": 10.0}")).candidates())
                .singleElement().satisfies(c -> assertThat(c.summary()).contains("smoke obscuration 10 %/m"));
        Readings.Run<SmokeDetectorRules.State> hot = new Readings.Run<>(new SmokeDetectorRules());
        assertThat(hot.judge(telemetry("d", TYPE, 1, "{\"temp_c\": 57.5}")).candidates())
                .singleElement().satisfies(c -> assertThat(c.summary()).contains("temperature 57.5 °C"));
    }

    @Test
    void aFastTemperatureRiseIsAFireOnlyOverAtLeastAMinute() {
        // 22 -> 24 °C within 10 s is too short to judge; then 35 °C, 80 s after the 24 °C reading (the
        // newest one at least a minute older): 11 °C in 80 s is 8.25 °C/min.
        assertThat(telemetryAt(0, "{\"temp_c\": 22}").candidates()).isEmpty();
        assertThat(telemetryAt(10_000, "{\"temp_c\": 24}").candidates()).isEmpty();
        assertThat(telemetryAt(90_000, "{\"temp_c\": 35}").candidates())
                .singleElement().satisfies(c -> assertThat(c.details().path("reason").asText()).contains("rising 8.3 °C/min"));
    }

    @Test
    void preAlarmIsStoredNotAFire() {
        assertThat(eventAt(1000, "{\"event\": \"alarm\", \"level\": \"pre_alarm\"}").candidates()).isEmpty();
        assertThat(telemetryAt(2000, "{\"smoke_obscuration_pct_m\": 5, \"alarm\": false}").candidates()).isEmpty();
    }

    @Test
    void aTestButtonPressIsNeverAFireButRealSmokeStillIs() {
        assertThat(eventAt(1000, "{\"event\": \"test\"}").isEmpty()).isTrue();
        assertThat(eventAt(2000, "{\"event\": \"alarm\", \"level\": \"alarm\"}").candidates())
                .as("the detector's own alarm right after its test button is the test").isEmpty();
        assertThat(telemetryAt(3000, "{\"alarm\": true, \"smoke_obscuration_pct_m\": 0.1}").candidates()).isEmpty();
        assertThat(telemetryAt(4000, "{\"alarm\": true, \"smoke_obscuration_pct_m\": 25}").candidates())
                .as("smoke measured over the threshold is a fire, test or not").hasSize(1);

        Readings.Run<SmokeDetectorRules.State> later = new Readings.Run<>(new SmokeDetectorRules());
        later.judge(event("d", TYPE, 1000, "{\"event\": \"test\"}"));
        assertThat(later.judge(event("d", TYPE, 1000 + 61_000, "{\"event\": \"alarm\"}")).candidates())
                .as("an alarm after test_suppress_s (60 s) is a fire").hasSize(1);
    }

    @Test
    void normalAgainAddsOneNoteWhetherTheEventOrTheReadingSaysSo() {
        eventAt(1000, "{\"event\": \"alarm\", \"level\": \"alarm\"}");
        Findings stillSmoky = telemetryAt(2000, "{\"alarm\": false, \"smoke_obscuration_pct_m\": 6, \"temp_c\": 30}");
        assertThat(stillSmoky.notes()).as("6 %/m is not yet well under 10 %/m").isEmpty();

        Findings clear = telemetryAt(3000, "{\"alarm\": false, \"smoke_obscuration_pct_m\": 1, \"temp_c\": 24}");
        assertThat(clear.notes()).singleElement().satisfies(n -> {
            assertThat(n.type()).isEqualTo(IncidentType.FIRE);
            assertThat(n.action()).isEqualTo(Note.SENSOR_NORMAL);
            assertThat(n.details().path("message").asText()).isEqualTo("smoke detector reads normal");
        });
        assertThat(telemetryAt(4000, "{\"alarm\": false, \"smoke_obscuration_pct_m\": 0.5}").notes()).isEmpty();
        assertThat(eventAt(5000, "{\"event\": \"alarm_cleared\"}").notes()).hasSize(1);
    }

    @Test
    void everyReadingOverTheThresholdProposesTheIncidentTheDatabaseKeepsOne() {
        // The rule proposes; one open incident per device and type is the database's job, so a
        // person who closes a fire while the detector still alarms gets it back.
        for (int i = 0; i < 5; i++) {
            assertThat(telemetryAt(1000L * i, "{\"alarm\": true}").candidates()).hasSize(1);
        }
    }

    @Test
    void aFireLatchThatNeverClearedDoesNotSwallowTheNextAlarm() {
        // The first fire was handled (resolved at the hub) without the detector ever reporting normal:
        // its latch is still raised. The detector's next alarm, an hour later, must still be a proposal,
        // by its own event or by its telemetry, or the hub could not open the new incident.
        assertThat(eventAt(1000, "{\"event\": \"alarm\", \"level\": \"alarm\"}").candidates()).hasSize(1);
        assertThat(telemetryAt(2000, "{\"alarm\": false, \"smoke_obscuration_pct_m\": 6, \"temp_c\": 30}").notes())
                .as("still smoky: not normal, the latch stays raised").isEmpty();
        long later = 3_600_000;
        assertThat(eventAt(later, "{\"event\": \"alarm\", \"level\": \"alarm\"}").candidates()).singleElement()
                .satisfies(c -> assertThat(c.occurredAt()).isEqualTo(later));
        assertThat(telemetryAt(later + 1000, "{\"smoke_obscuration_pct_m\": 12}").candidates()).hasSize(1);
    }

    @Test
    void tamperFaultAndLowBattery() {
        assertThat(types(eventAt(1000, "{\"event\": \"tamper\"}"))).containsExactly(IncidentType.DETECTOR_TAMPER);
        assertThat(eventAt(2000, "{\"event\": \"fault\", \"code\": \"E12 chamber\"}").candidates())
                .singleElement().satisfies(c -> {
                    assertThat(c.type()).isEqualTo(IncidentType.DETECTOR_FAULT);
                    assertThat(c.summary()).contains("E12 chamber");
                });
        assertThat(types(telemetryAt(3000, "{\"tamper\": true}"))).containsExactly(IncidentType.DETECTOR_TAMPER);
        assertThat(telemetryAt(4000, "{\"tamper\": false}").notes()).extracting(Note::type)
                .containsExactly(IncidentType.DETECTOR_TAMPER);

        assertThat(types(telemetryAt(5000, "{\"battery_pct\": 14}"))).containsExactly(IncidentType.LOW_BATTERY);
        assertThat(telemetryAt(6000, "{\"battery_pct\": 18}").notes()).as("inside the 15..20 band").isEmpty();
        assertThat(telemetryAt(7000, "{\"battery_pct\": 21}").notes()).hasSize(1);
    }

    @Test
    void communityThresholdsApply() {
        ThresholdSet strict = ThresholdSet.DEFAULTS.with(Map.of(Threshold.FIRE_OBSCURATION, 3.0));
        Readings.Run<SmokeDetectorRules.State> r = new Readings.Run<>(new SmokeDetectorRules(), strict);

        assertThat(r.judge(telemetry("d", TYPE, 1, "{\"smoke_obscuration_pct_m\": 3.5}")).candidates()).hasSize(1);
    }

    @Test
    void missingOrMistypedFieldsAreNotMeasurements() {
        assertThat(telemetryAt(1000, "{\"smoke_obscuration_pct_m\": \"lots\", \"alarm\": \"yes\", \"temp_c\": null}")
                .isEmpty()).isTrue();
        assertThat(eventAt(2000, "{\"event\": \"alarm\", \"level\": 3}").candidates())
                .as("an alarm whose level cannot be read is taken as an alarm: safety first").hasSize(1);
    }

    private static java.util.List<IncidentType> types(Findings f) {
        return f.candidates().stream().map(Candidate::type).toList();
    }
}
