package org.communityguard.hub.incident.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.communityguard.hub.incident.rules.Readings.event;
import static org.communityguard.hub.incident.rules.Readings.telemetry;

import java.util.Random;
import org.communityguard.hub.incident.Candidate;
import org.communityguard.hub.incident.Findings;
import org.communityguard.hub.incident.IncidentType;
import org.junit.jupiter.api.Test;

class ManholeRulesTest {

    private static final long MIN = 60_000;
    private final Readings.Run<ManholeRules.State> run = new Readings.Run<>(new ManholeRules());

    private Findings water(long t, double cm) {
        return run.judge(telemetry("manhole-b1-01", "manhole", t, "{\"water_below_cover_cm\": " + cm + "}"));
    }

    @Test
    void waterRisingFastIsAFloodRiskWithAPredictedTimeToOverflow() {
        // 5-minute readings: 150, 130, 110 cm below the cover, i.e. rising 4 cm/min; 110 cm left = 27.5 min.
        assertThat(water(0, 150).candidates()).isEmpty();
        assertThat(water(5 * MIN, 130).candidates()).isEmpty();
        assertThat(water(10 * MIN, 110).candidates()).as("predicted, but debounce wants a second reading").isEmpty();
        Findings f = water(15 * MIN, 90);

        assertThat(f.candidates()).singleElement().satisfies(c -> {
            assertThat(c.type()).isEqualTo(IncidentType.FLOOD_RISK);
            assertThat(c.details().path("rise_cm_per_min").asDouble()).isCloseTo(4.0, within(0.01));
            assertThat(c.details().path("predicted_overflow_min").asDouble()).isCloseTo(22.5, within(0.01));
            assertThat(c.details().path("predicted_overflow_at").asText()).isEqualTo("1970-01-01T00:37:30Z");
            assertThat(c.details().path("trend_samples").asInt()).isEqualTo(4);
            assertThat(c.summary()).contains("rising 4 cm/min").contains("in about 23 min");
        });
    }

    @Test
    void slowRiseFarFromTheCoverIsNotYetARisk() {
        // 1 cm/min with 150 cm to go: two and a half hours away.
        for (int i = 0; i < 6; i++) {
            assertThat(water(i * 5 * MIN, 180 - 5 * i).candidates()).isEmpty();
        }
    }

    @Test
    void noiseOnReadingsSecondsApartIsNotATrend() {
        Random noise = new Random(7);
        for (int i = 0; i < 50; i++) {
            assertThat(water(i * 1000L, 180 + noise.nextGaussian() * 1.5).candidates()).isEmpty();
        }
    }

    @Test
    void highWaterNeedsTwoReadingsAndRecedingAddsANote() {
        assertThat(water(0, 28).candidates()).isEmpty();
        assertThat(water(5 * MIN, 27).candidates()).singleElement()
                .satisfies(c -> assertThat(c.summary()).contains("27 cm below the cover, at or under 30 cm"));
        assertThat(water(10 * MIN, 40).notes()).as("between 30 and 50 cm: still high").isEmpty();
        assertThat(water(15 * MIN, 60).notes()).as("still rising? no: falling water").singleElement()
                .satisfies(n -> assertThat(n.details().path("message").asText()).contains("water receding"));
    }

    @Test
    void aDisplacedCoverIsImmediateATiltAloneIsDebounced() {
        Findings opened = run.judge(event("m", "manhole", 1000, "{\"event\": \"cover_opened\"}"));
        assertThat(opened.candidates()).extracting(Candidate::type).containsExactly(IncidentType.COVER_DISPLACED);
        assertThat(run.judge(telemetry("m", "manhole", 2000, "{\"cover_open\": true, \"tilt_deg\": 30}")).candidates())
                .hasSize(1);
        assertThat(run.judge(event("m", "manhole", 3000, "{\"event\": \"cover_closed\"}")).notes()).hasSize(1);

        Readings.Run<ManholeRules.State> tilted = new Readings.Run<>(new ManholeRules());
        assertThat(tilted.judge(telemetry("m", "manhole", 1000, "{\"cover_open\": false, \"tilt_deg\": 12}")).candidates())
                .isEmpty();
        assertThat(tilted.judge(telemetry("m", "manhole", 2000, "{\"cover_open\": false, \"tilt_deg\": 12}")).candidates())
                .singleElement().satisfies(c -> assertThat(c.summary()).contains("cover tilted 12°"));
        assertThat(tilted.judge(telemetry("m", "manhole", 3000, "{\"cover_open\": false, \"tilt_deg\": 0.5}")).notes())
                .hasSize(1);
    }

    @Test
    void toxicGasAndItsClearBand() {
        assertThat(run.judge(telemetry("m", "manhole", 1000, "{\"ch4_pct_lel\": 12, \"h2s_ppm\": 15}")).candidates()).isEmpty();
        assertThat(run.judge(telemetry("m", "manhole", 2000, "{\"ch4_pct_lel\": 24, \"h2s_ppm\": 30}")).candidates())
                .singleElement().satisfies(c -> {
                    assertThat(c.type()).isEqualTo(IncidentType.TOXIC_GAS);
                    assertThat(c.summary()).contains("methane 24 %LEL").contains("H2S 30 ppm");
                });
        assertThat(run.judge(telemetry("m", "manhole", 3000, "{\"ch4_pct_lel\": 6, \"h2s_ppm\": 1}")).notes()).isEmpty();
        assertThat(run.judge(telemetry("m", "manhole", 4000, "{\"ch4_pct_lel\": 4, \"h2s_ppm\": 1}")).notes()).hasSize(1);
    }

    @Test
    void faultEventIsADetectorFault() {
        assertThat(run.judge(event("m", "manhole", 1000, "{\"event\": \"fault\", \"code\": \"gauge\"}")).candidates())
                .extracting(Candidate::type).containsExactly(IncidentType.DETECTOR_FAULT);
    }
}
