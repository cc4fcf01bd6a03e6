package org.communityguard.hub.config;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * How a setting's text is parsed and which values are allowed. The {@link #range()} text is
 * what the configuration reference shows, so a reader never needs the source.
 */
public sealed interface SettingType<T> {

    T parse(String text) throws IllegalArgumentException;

    /** Allowed values and unit, for docs and error messages. */
    String range();

    default String format(T value) {
        return String.valueOf(value);
    }

    record Int(long min, long max, String unit) implements SettingType<Integer> {
        @Override
        public Integer parse(String text) {
            long value;
            try {
                value = Long.parseLong(text.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not a whole number");
            }
            if (value < min || value > max) {
                throw new IllegalArgumentException(value + " is outside " + range());
            }
            return (int) value;
        }

        @Override
        public String range() {
            return min + ".." + max + (unit.isEmpty() ? "" : " " + unit);
        }
    }

    record Decimal(double min, double max, String unit) implements SettingType<Double> {
        @Override
        public Double parse(String text) {
            double value;
            try {
                value = Double.parseDouble(text.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not a number");
            }
            if (!(value >= min && value <= max)) {
                throw new IllegalArgumentException(value + " is outside " + range());
            }
            return value;
        }

        @Override
        public String range() {
            return min + ".." + max + (unit.isEmpty() ? "" : " " + unit);
        }
    }

    /** Durations are written as a number and a unit: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 12h}, {@code 7d}. */
    record Time(Duration min, Duration max) implements SettingType<Duration> {
        private static final Pattern FORMAT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

        @Override
        public Duration parse(String text) {
            var m = FORMAT.matcher(text.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("'" + text + "' is not a duration like 500ms, 30s, 5m, 12h or 7d");
            }
            long n = Long.parseLong(m.group(1));
            Duration value = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw new IllegalArgumentException(text.trim() + " is outside " + range());
            }
            return value;
        }

        @Override
        public String range() {
            return format(min) + ".." + format(max);
        }

        @Override
        public String format(Duration d) {
            long ms = d.toMillis();
            if (ms % 86_400_000 == 0 && ms > 0) return ms / 86_400_000 + "d";
            if (ms % 3_600_000 == 0 && ms > 0) return ms / 3_600_000 + "h";
            if (ms % 60_000 == 0 && ms > 0) return ms / 60_000 + "m";
            if (ms % 1000 == 0) return ms / 1000 + "s";
            return ms + "ms";
        }
    }

    /**
     * How long a kind of data is kept (docs/retention.md): a number of days or years ({@code 400d},
     * {@code 5y}; a year is 365 days), or {@code off}, kept for ever ({@link Duration#ZERO}).
     */
    record Retention(Duration min, Duration max) implements SettingType<Duration> {
        private static final Pattern FORMAT = Pattern.compile("(\\d{1,6})\\s*(d|y)");
        private static final long YEAR_DAYS = 365;

        @Override
        public Duration parse(String text) {
            String value = text.trim().toLowerCase(java.util.Locale.ROOT);
            // YAML reads an unquoted off as the boolean false.
            if (value.equals("off") || value.equals("false")) {
                return Duration.ZERO;
            }
            var m = FORMAT.matcher(value);
            if (!m.matches()) {
                throw new IllegalArgumentException("'" + text + "' is not off or a number of days or years like 400d or 5y");
            }
            long n = Long.parseLong(m.group(1));
            Duration keep = Duration.ofDays(m.group(2).equals("y") ? n * YEAR_DAYS : n);
            if (keep.compareTo(min) < 0 || keep.compareTo(max) > 0) {
                throw new IllegalArgumentException(value + " is outside " + range());
            }
            return keep;
        }

        @Override
        public String range() {
            return "off, or " + format(min) + ".." + format(max);
        }

        @Override
        public String format(Duration keep) {
            long days = keep.toDays();
            if (days == 0) {
                return "off";
            }
            return days % YEAR_DAYS == 0 ? days / YEAR_DAYS + "y" : days + "d";
        }
    }

    record Bool() implements SettingType<Boolean> {
        @Override
        public Boolean parse(String text) {
            return switch (text.trim().toLowerCase()) {
                case "true", "yes", "on", "1" -> true;
                case "false", "no", "off", "0" -> false;
                default -> throw new IllegalArgumentException("'" + text + "' is not true or false");
            };
        }

        @Override
        public String range() {
            return "true, false";
        }
    }

    /** Free text checked against a pattern; {@code secret} values are never printed. */
    record Text(Pattern pattern, String describe, boolean secret) implements SettingType<String> {
        public static Text any() {
            return new Text(Pattern.compile("(?s).*"), "text", false);
        }

        public static Text secretText() {
            return new Text(Pattern.compile("(?s).*"), "text (secret)", true);
        }

        @Override
        public String parse(String text) {
            if (!pattern.matcher(text).matches()) {
                throw new IllegalArgumentException((secret ? "the value" : "'" + text + "'") + " is not " + describe);
            }
            return text;
        }

        @Override
        public String range() {
            return describe;
        }

        @Override
        public String format(String value) {
            return secret && !value.isEmpty() ? "(set)" : value;
        }
    }
}
