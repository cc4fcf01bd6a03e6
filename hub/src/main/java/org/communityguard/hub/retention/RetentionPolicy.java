package org.communityguard.hub.retention;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.communityguard.hub.config.Config;

/** How long each kind of data is kept; {@link Duration#ZERO} keeps it for ever (the setting's {@code off}). */
public record RetentionPolicy(Map<DataClass, Duration> keep) {

    public RetentionPolicy {
        EnumMap<DataClass, Duration> all = new EnumMap<>(DataClass.class);
        for (DataClass c : DataClass.values()) {
            all.put(c, keep.getOrDefault(c, Duration.ZERO));
        }
        keep = Collections.unmodifiableMap(all);
    }

    public static RetentionPolicy from(Config config) {
        EnumMap<DataClass, Duration> keep = new EnumMap<>(DataClass.class);
        for (DataClass c : DataClass.values()) {
            keep.put(c, config.get(c.setting()));
        }
        return new RetentionPolicy(keep);
    }

    /** The settings' defaults. */
    public static RetentionPolicy defaults() {
        EnumMap<DataClass, Duration> keep = new EnumMap<>(DataClass.class);
        for (DataClass c : DataClass.values()) {
            keep.put(c, c.setting().defaultValue());
        }
        return new RetentionPolicy(keep);
    }

    public Duration keep(DataClass c) {
        return keep.get(c);
    }

    /**
     * Data of this class from before the cutoff is past its retention; none when kept for ever.
     * Midnight UTC, so a day's chunk of readings and every hour of the rollup goes whole (a chart
     * never sees an hour with part of its readings gone).
     */
    public Optional<Instant> cutoff(DataClass c, Instant now) {
        Duration d = keep.get(c);
        return d.isZero() ? Optional.empty() : Optional.of(now.minus(d).truncatedTo(ChronoUnit.DAYS));
    }
}
