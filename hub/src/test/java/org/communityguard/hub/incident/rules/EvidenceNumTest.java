package org.communityguard.hub.incident.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Evidence.num is on every reading's path (the rules' "reads normal" texts), so it must not go
 * through String.format (a profile of bench.sh ingest: 17% of the hub's samples); its text must
 * stay what String.format gave.
 */
class EvidenceNumTest {

    private static String formatted(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.1f", value);
    }

    @Test
    void writesWhatStringFormatWrote() {
        double[] edges = {0, -0.0, 0.05, -0.05, 0.04, -0.04, 0.25, 0.35, 1.05, 2.45, 12.5, -12.55, 99.95, 1e-9, -1e-9,
            123456789.15, 1e15 + 0.5, Double.MIN_VALUE, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (double v : edges) {
            assertThat(Evidence.num(v)).as("%s", v).isEqualTo(formatted(v));
        }
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 200_000; i++) {
            // Measurement-like values (two decimals, as devices send), and arbitrary doubles.
            double v = i % 2 == 0 ? Math.round(random.nextDouble(-1000, 1000) * 100) / 100.0 : random.nextDouble(-1e6, 1e6);
            assertThat(Evidence.num(v)).as("%s", v).isEqualTo(formatted(v));
        }
    }
}
