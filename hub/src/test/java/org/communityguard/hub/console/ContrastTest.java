package org.communityguard.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** WCAG AA contrast of the console's colour pairs, computed from console.css itself. */
class ContrastTest {

    /** Text on background, as the stylesheet pairs them: at least 4.5:1. */
    private static final List<String[]> TEXT = List.of(
            new String[] {"ink", "paper"}, new String[] {"ink-soft", "paper"}, new String[] {"ink-soft", "card"},
            new String[] {"link", "card"}, new String[] {"link", "paper"}, new String[] {"#ffffff", "brand"},
            new String[] {"#ffffff", "critical"}, new String[] {"#ffffff", "major"}, new String[] {"#ffffff", "minor"},
            new String[] {"#ffffff", "info"}, new String[] {"#ffffff", "warning"}, new String[] {"ok", "card"},
            new String[] {"warning", "card"}, new String[] {"critical", "card"}, new String[] {"offline", "card"},
            new String[] {"critical", "#fde8ea"}, new String[] {"ink", "#fde8ea"}, new String[] {"ink", "#fff3cd"},
            new String[] {"brand", "card"}, new String[] {"ok", "paper"});
    /** Shapes and focus rings on their background: at least 3:1. */
    private static final List<String[]> SHAPES = List.of(
            new String[] {"ok", "card"}, new String[] {"warning", "card"}, new String[] {"critical", "card"},
            new String[] {"offline", "card"}, new String[] {"focus", "brand"}, new String[] {"focus", "ink"});

    @Test
    void textAndShapesMeetWcagAa() throws IOException {
        Map<String, String> vars = new HashMap<>();
        String css;
        try (InputStream in = ContrastTest.class.getResourceAsStream("/console/console.css")) {
            css = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher m = Pattern.compile("--([a-z-]+):\\s*(#[0-9a-fA-F]{6});").matcher(css);
        while (m.find()) {
            vars.put(m.group(1), m.group(2));
        }
        assertThat(vars).containsKeys("ink", "paper", "critical", "brand", "focus");
        for (String[] pair : TEXT) {
            assertThat(ratio(color(vars, pair[0]), color(vars, pair[1]))).as(pair[0] + " on " + pair[1]).isGreaterThanOrEqualTo(4.5);
        }
        for (String[] pair : SHAPES) {
            assertThat(ratio(color(vars, pair[0]), color(vars, pair[1]))).as(pair[0] + " on " + pair[1]).isGreaterThanOrEqualTo(3.0);
        }
    }

    private static String color(Map<String, String> vars, String name) {
        return name.startsWith("#") ? name : vars.get(name);
    }

    static double ratio(String a, String b) {
        double la = luminance(a);
        double lb = luminance(b);
        return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
    }

    private static double luminance(String hex) {
        double[] c = new double[3];
        for (int i = 0; i < 3; i++) {
            double v = Integer.parseInt(hex.substring(1 + 2 * i, 3 + 2 * i), 16) / 255.0;
            c[i] = v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
        }
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    }
}
