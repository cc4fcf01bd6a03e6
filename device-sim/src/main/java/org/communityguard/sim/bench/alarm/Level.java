package org.communityguard.sim.bench.alarm;

import java.util.ArrayList;
import java.util.List;

/**
 * One background level: the telemetry the hub's uplink is offered while the alarms go through.
 *
 * @param key               the RESULT keys' suffix: {@code 10k} for 10000, {@code max}
 * @param readingsPerSecond the offered rate, 0 for as fast as the gateways' windows allow
 */
record Level(String key, double readingsPerSecond) {

    boolean max() {
        return readingsPerSecond == 0;
    }

    /** "10000,50000,max" as given to --levels; every level once, rates of at least 1. */
    static List<Level> parse(String text) {
        List<Level> levels = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            Level level;
            if (p.equals("max")) {
                level = new Level("max", 0);
            } else {
                long rate;
                try {
                    rate = Long.parseLong(p);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--levels: '" + p + "' is neither readings per second nor max");
                }
                if (rate < 1) {
                    throw new IllegalArgumentException("--levels: a rate of at least 1 reading/s, not " + rate);
                }
                level = new Level(rate % 1000 == 0 ? rate / 1000 + "k" : Long.toString(rate), rate);
            }
            if (levels.stream().anyMatch(l -> l.key().equals(level.key()))) {
                throw new IllegalArgumentException("--levels: " + p + " twice");
            }
            levels.add(level);
        }
        return levels;
    }
}
