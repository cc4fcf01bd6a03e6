package org.communityguard.hub.incident.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.communityguard.hub.incident.rules.Readings.event;
import static org.communityguard.hub.incident.rules.Readings.telemetry;

import java.util.Random;
import org.communityguard.hub.incident.Candidate;
import org.communityguard.hub.incident.Findings;
import org.communityguard.hub.incident.IncidentType;
import org.junit.jupiter.api.Test;

class LampPostRulesTest {

    private final Readings.Run<LampPostRules.State> run = new Readings.Run<>(new LampPostRules());

    private Findings at(long t, String data) {
        return run.judge(telemetry("lamp-b1-01", "lamp_post", t, data));
    }

    @Test
    void leakageInRainOpensAfterTwoReadingsAndClearsUnderTheBand() {
        // As device-sim's leakInRain: +12 mA per reading.
        assertThat(at(1, "{\"leakage_ma\": 14}").candidates()).isEmpty();
        assertThat(at(2, "{\"leakage_ma\": 26}").candidates()).isEmpty();
        assertThat(at(3, "{\"leakage_ma\": 38}").candidates()).isEmpty();
        assertThat(at(4, "{\"leakage_ma\": 50}").candidates()).singleElement().satisfies(c -> {
            assertThat(c.type()).isEqualTo(IncidentType.ELECTRIC_LEAKAGE);
            assertThat(c.details().path("leakage_ma").asDouble()).isEqualTo(50.0);
        });
        assertThat(at(5, "{\"leakage_ma\": 20}").notes()).isEmpty();
        assertThat(at(6, "{\"leakage_ma\": 3}").notes()).hasSize(1);
    }

    @Test
    void aFlappingLeakageSensorGivesOneEpisode() {
        Random noise = new Random(3);
        int notes = 0;
        boolean proposed = false;
        for (int i = 0; i < 200; i++) {
            Findings f = at(i, "{\"leakage_ma\": " + (28 + noise.nextDouble() * 6) + "}");
            notes += f.notes().size();
            proposed |= !f.candidates().isEmpty();
        }
        assertThat(proposed).isTrue();
        assertThat(notes).as("never clears, so never re-raises").isZero();
    }

    @Test
    void aRaisedLeakageProposesAgainAtOnceWhenItRisesAgainWithoutAFreshDebounce() {
        at(1, "{\"leakage_ma\": 40}");
        assertThat(at(2, "{\"leakage_ma\": 40}").candidates()).hasSize(1);
        // Inside the band: not over, not clear; nothing proposed, nothing noted, the latch stays raised.
        Findings between = at(3, "{\"leakage_ma\": 20}");
        assertThat(between.candidates()).isEmpty();
        assertThat(between.notes()).isEmpty();
        // Over again (after the first incident was resolved, say): one reading is enough.
        assertThat(at(4, "{\"leakage_ma\": 35}").candidates()).hasSize(1);
    }

    @Test
    void aLampOnButDarkIsALampFault() {
        String dark = "{\"lamp_on\": true, \"dim_pct\": 100, \"power_w\": 1.8}";
        assertThat(at(1, dark).candidates()).isEmpty();
        assertThat(at(2, dark).candidates()).singleElement().satisfies(c -> {
            assertThat(c.type()).isEqualTo(IncidentType.LAMP_FAULT);
            assertThat(c.summary()).contains("lamp on but drawing 1.8 W");
        });
        assertThat(at(3, "{\"lamp_on\": true, \"dim_pct\": 100, \"power_w\": 64}").notes()).hasSize(1);

        Readings.Run<LampPostRules.State> day = new Readings.Run<>(new LampPostRules());
        for (int i = 0; i < 3; i++) {
            assertThat(day.judge(telemetry("l", "lamp_post", i, "{\"lamp_on\": false, \"power_w\": 2}")).isEmpty())
                    .as("off by day draws only the controller's watts").isTrue();
            assertThat(day.judge(telemetry("l", "lamp_post", 10 + i, "{\"lamp_on\": true, \"dim_pct\": 0, \"power_w\": 2}"))
                    .isEmpty()).as("dimmed to zero is dark on purpose").isTrue();
        }
        assertThat(day.judge(event("l", "lamp_post", 20, "{\"event\": \"fault\", \"code\": \"driver\"}")).candidates())
                .extracting(Candidate::type).containsExactly(IncidentType.LAMP_FAULT);
    }

    @Test
    void tiltAndCabinet() {
        at(1, "{\"tilt_deg\": 6}");
        assertThat(at(2, "{\"tilt_deg\": 6.5}").candidates()).extracting(Candidate::type)
                .containsExactly(IncidentType.STRUCTURAL_TILT);
        assertThat(at(3, "{\"cabinet_open\": true}").candidates()).extracting(Candidate::type)
                .containsExactly(IncidentType.CABINET_OPEN);
        assertThat(at(4, "{\"cabinet_open\": false}").notes()).hasSize(1);
        assertThat(run.judge(event("lamp-b1-01", "lamp_post", 5, "{\"event\": \"tamper\"}")).candidates())
                .extracting(Candidate::type).containsExactly(IncidentType.CABINET_OPEN);
    }

    @Test
    void normalTelemetryRaisesNothing() {
        assertThat(at(1, "{\"lamp_on\": true, \"dim_pct\": 80, \"power_w\": 61.5, \"voltage_v\": 229.8, \"current_a\": 0.27,"
                + " \"leakage_ma\": 1.2, \"tilt_deg\": 0.4, \"lux\": 3.1, \"cabinet_open\": false}").isEmpty()).isTrue();
    }
}
