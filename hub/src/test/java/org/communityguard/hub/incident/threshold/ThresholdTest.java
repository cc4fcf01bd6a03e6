package org.communityguard.hub.incident.threshold;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ThresholdTest {

    @Test
    void defaultsAreInRangeAndConsistent() {
        Set<String> keys = new HashSet<>();
        for (Threshold t : Threshold.values()) {
            assertThat(keys.add(t.scope() + "." + t.key())).as(t + " is unique").isTrue();
            assertThat(Threshold.SCOPES).contains(t.scope());
            assertThat(ThresholdSet.checkValue(t, t.defaultValue())).as(t.name()).isEmpty();
        }
        assertThat(ThresholdSet.DEFAULTS.consistency()).isEmpty();
    }

    @Test
    void aClearThresholdOnTheWrongSideIsNamed() {
        ThresholdSet wrong = ThresholdSet.DEFAULTS.with(Map.of(Threshold.FLOOD_CLEAR, 20.0, Threshold.SMOKE_BATTERY_LOW, 25.0));

        assertThat(wrong.consistency()).containsExactlyInAnyOrder(
                "smoke_detector.battery_clear_pct (20) must be above smoke_detector.battery_low_pct (25): the gap between them is the hysteresis",
                "manhole.flood_clear_cm (20) must be above manhole.flood_level_cm (30): the gap between them is the hysteresis");
    }

    @Test
    void valuesAreCheckedAgainstRangeAndWholeness() {
        assertThat(ThresholdSet.checkValue(Threshold.LEAKAGE, 0.5)).containsExactly("lamp_post.leakage_ma: 0.5 is outside 1..1000 mA");
        assertThat(ThresholdSet.checkValue(Threshold.BRUTE_FORCE_WINDOW, 30.5))
                .containsExactly("door_access.brute_force_window_s: must be a whole number of s");
        assertThat(ThresholdSet.checkValue(Threshold.FLOOD_RISE_RATE, 0.5)).isEmpty();
        assertThat(ThresholdSet.checkValue(Threshold.FLOOD_RISE_RATE, Double.NaN)).hasSize(1);
    }

    @Test
    void theIncidentsReferenceIsCurrent() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "incidents.md"));

        assertThat(doc).as("docs/incidents.md is out of date: run bash deploy/config-reference.sh")
                .contains(Threshold.markdownTable());
    }
}
