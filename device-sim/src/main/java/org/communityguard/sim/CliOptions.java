package org.communityguard.sim;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command line of {@link DeviceSim}, parsed and checked. Site-dependent checks (does that
 * building exist?) happen once the site is loaded.
 *
 * @param duration null runs until Ctrl-C
 * @param timeOfDay null follows the clock
 */
record CliOptions(boolean help, Path site, String mqtt, URI coap, Duration interval, Duration duration,
                  List<Stage> stages, long seed, Set<String> devices, LocalTime timeOfDay, Duration summaryEvery,
                  Path keys, URI coaps) {

    /** A scenario to stage {@code at} after start. */
    record Stage(Duration at, CliScenario scenario, String target) {
    }

    static final String USAGE = """
            Usage: java -jar device-sim.jar --site FILE --mqtt URL --coap URI [options]

            Simulates the devices of a site file, speaking the reference device profile v1 to a gateway.

              --site FILE               site file (docs/site-file.md), e.g. deploy/demo/site.yaml
              --mqtt URL                the gateway's MQTT broker, e.g. tcp://127.0.0.1:1883
              --coap URI                the gateway's CoAP endpoint, e.g. coap://127.0.0.1:5683
              --keys FILE               the gateway's device keys file (id:hex-key): devices with a key log in
                                        to MQTT as their id and speak DTLS over CoAP (needs --coaps)
              --coaps URI               the gateway's CoAP-over-DTLS endpoint, e.g. coaps://127.0.0.1:5684
              --interval DURATION       time between two reports of a device, +-20%% jitter (default 5s)
              --duration DURATION       stop after this long (default: run until Ctrl-C)
              --fire-at DURATION        stage a fire this long after start (with --fire-building)
              --fire-building ID        the building the fire starts in
              --stage WHEN:SCENARIO:TARGET
                                        stage a scenario, repeatable; e.g. --stage 40s:cover:manhole-b2-01
                                        scenarios: %s
              --seed N                  seed of the sensor noise (default 1)
              --devices ID,ID,...       simulate only these devices (default: all)
              --time-of-day HH:MM       fixed time of day for lamps and traffic (default: the clock)
              --summary-every DURATION  how often to print the sent/acked line (default 10s)
              --help                    this text

            DURATION: 500ms, 20s, 5m, 1h, or a plain number of seconds.
            """.formatted(CliScenario.names());

    private static final Set<String> FLAGS = Set.of("--site", "--mqtt", "--coap", "--keys", "--coaps", "--interval", "--duration",
            "--fire-at", "--fire-building", "--stage", "--seed", "--devices", "--time-of-day", "--summary-every");

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");

    /** A bad command line; the message says what is wrong, the caller prints {@link #USAGE}. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    static CliOptions parse(String... args) throws UsageException {
        boolean help = false;
        Path site = null;
        String mqtt = null;
        URI coap = null;
        Path keys = null;
        URI coaps = null;
        Duration interval = Duration.ofSeconds(5);
        Duration duration = null;
        Duration fireAt = null;
        String fireBuilding = null;
        List<Stage> stages = new ArrayList<>();
        long seed = 1;
        Set<String> devices = new LinkedHashSet<>();
        LocalTime timeOfDay = null;
        Duration summaryEvery = Duration.ofSeconds(10);

        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--help") || flag.equals("-h")) {
                help = true;
                continue;
            }
            if (!FLAGS.contains(flag)) {
                throw new UsageException(flag.startsWith("-") ? "unknown option " + flag
                        : "unexpected argument '" + flag + "'");
            }
            if (i + 1 >= args.length) {
                throw new UsageException(flag + " needs a value");
            }
            String value = args[++i];
            switch (flag) {
                case "--site" -> site = Path.of(value);
                case "--mqtt" -> mqtt = mqttUrl(value);
                case "--coap" -> coap = coapUri(value, "coap");
                case "--keys" -> keys = Path.of(value);
                case "--coaps" -> coaps = coapUri(value, "coaps");
                case "--interval" -> interval = positive(flag, duration(flag, value));
                case "--duration" -> duration = positive(flag, duration(flag, value));
                case "--fire-at" -> fireAt = duration(flag, value);
                case "--fire-building" -> fireBuilding = value;
                case "--stage" -> stages.add(stage(value));
                case "--seed" -> seed = number(flag, value);
                case "--devices" -> devices.addAll(List.of(value.split(",")));
                case "--time-of-day" -> timeOfDay = timeOfDay(value);
                case "--summary-every" -> summaryEvery = positive(flag, duration(flag, value));
                default -> throw new IllegalStateException("flag in FLAGS without a case: " + flag);
            }
        }
        if (help) {
            return new CliOptions(true, site, mqtt, coap, interval, duration, stages, seed, devices, timeOfDay,
                    summaryEvery, keys, coaps);
        }
        if (site == null) {
            throw new UsageException("--site is required");
        }
        if (mqtt == null) {
            throw new UsageException("--mqtt is required");
        }
        if (coap == null) {
            throw new UsageException("--coap is required");
        }
        if ((fireAt == null) != (fireBuilding == null)) {
            throw new UsageException("--fire-at and --fire-building go together");
        }
        if (fireAt != null) {
            stages.add(0, new Stage(fireAt, CliScenario.FIRE, fireBuilding));
        }
        devices.remove("");
        if (keys != null && coaps == null) {
            throw new UsageException("--keys goes with --coaps: the CoAP devices with a key speak DTLS");
        }
        return new CliOptions(false, site, mqtt, coap, interval, duration, List.copyOf(stages), seed,
                Set.copyOf(devices), timeOfDay, summaryEvery, keys, coaps);
    }

    static Duration duration(String flag, String value) throws UsageException {
        Matcher m = DURATION.matcher(value.trim());
        if (!m.matches()) {
            throw new UsageException(flag + ": '" + value + "' is not a duration (500ms, 20s, 5m, 1h)");
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofSeconds(amount);
        };
    }

    private static Duration positive(String flag, Duration value) throws UsageException {
        if (value.isZero()) {
            throw new UsageException(flag + " must be more than zero");
        }
        return value;
    }

    private static Stage stage(String value) throws UsageException {
        String[] parts = value.split(":", 3);
        if (parts.length != 3 || parts[2].isEmpty()) {
            throw new UsageException("--stage: '" + value + "' is not WHEN:SCENARIO:TARGET");
        }
        CliScenario scenario = CliScenario.byName(parts[1]).orElseThrow(() -> new UsageException(
                "--stage: unknown scenario '" + parts[1] + "'; one of " + CliScenario.names()));
        return new Stage(duration("--stage", parts[0]), scenario, parts[2]);
    }

    private static long number(String flag, String value) throws UsageException {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new UsageException(flag + ": '" + value + "' is not a whole number");
        }
    }

    private static LocalTime timeOfDay(String value) throws UsageException {
        try {
            return LocalTime.parse(value);
        } catch (DateTimeParseException e) {
            throw new UsageException("--time-of-day: '" + value + "' is not HH:MM");
        }
    }

    private static String mqttUrl(String value) throws UsageException {
        if (!value.matches("(tcp|ssl)://[^/:]+(:\\d+)?")) {
            throw new UsageException("--mqtt: '" + value + "' is not tcp://host[:port]");
        }
        return value;
    }

    private static URI coapUri(String value, String scheme) throws UsageException {
        try {
            URI uri = new URI(value);
            if (scheme.equals(uri.getScheme()) && uri.getHost() != null) {
                return uri;
            }
        } catch (java.net.URISyntaxException e) {
            // reported below
        }
        throw new UsageException("--" + scheme + ": '" + value + "' is not " + scheme + "://host[:port]");
    }
}
