package org.communityguard.sim.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * The field devices behind one benchmark gateway, producing readings of the four device types
 * of the reference profile with plausible values. Quiet on purpose: no smoke alarm, no
 * obscuration near the FIRE threshold, so the hub's work is storing, not opening incidents.
 *
 * <p>Every reading gets its device's next sequence number, so (device, seq) is unique across a
 * run as long as two fleets of the same gateway start at sequence numbers far apart. Not thread
 * safe: one fleet per sending thread.
 */
final class Fleet {

    /** Devices per gateway, by type: a building's worth of a community's street and indoor devices. */
    static final int LAMP_POSTS = 30;
    static final int MANHOLES = 10;
    static final int SMOKE_DETECTORS = 50;
    static final int DOORS = 10;

    private static final String PSEUDONYM_CHARS =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private record Device(String id, String type) {
    }

    private final String gatewayId;
    private final List<Device> devices = new ArrayList<>();
    private final long[] nextSeq;
    private final SplittableRandom random;
    private final LongSupplier clock;
    private int next;

    /**
     * @param firstSeq sequence number of every device's first reading
     * @param clock    epoch milliseconds, for {@code rx}
     */
    Fleet(String gatewayId, long firstSeq, long randomSeed, LongSupplier clock) {
        this.gatewayId = gatewayId;
        addDevices(gatewayId, "lamp", "lamp_post", LAMP_POSTS);
        addDevices(gatewayId, "manhole", "manhole", MANHOLES);
        addDevices(gatewayId, "smoke", "smoke_detector", SMOKE_DETECTORS);
        addDevices(gatewayId, "door", "door_access", DOORS);
        this.nextSeq = new long[devices.size()];
        Arrays.fill(nextSeq, firstSeq);
        this.random = new SplittableRandom(randomSeed);
        this.clock = clock;
    }

    private void addDevices(String gatewayId, String prefix, String type, int count) {
        for (int i = 1; i <= count; i++) {
            devices.add(new Device(String.format("%s-%s-%02d", gatewayId, prefix, i), type));
        }
    }

    String gatewayId() {
        return gatewayId;
    }

    int deviceCount() {
        return devices.size();
    }

    /** The next reading, from the devices in turn. */
    BenchReading next() {
        int i = next;
        next = (next + 1) % devices.size();
        Device d = devices.get(i);
        long rx = clock.getAsLong();
        // Device clocks run a little behind the gateway's receive time: radio and queueing.
        long ts = rx - 20 - random.nextInt(300);
        int roll = random.nextInt(100);
        // Mostly periodic telemetry; now and then an event, rarely a connectivity change.
        String kind = roll < 93 ? "telemetry" : roll < 98 ? "event" : "status";
        String data = switch (kind) {
            case "telemetry" -> telemetry(d.type());
            case "event" -> event(d.type());
            default -> random.nextInt(4) == 0 ? "{\"status\":\"offline\"}" : "{\"status\":\"online\"}";
        };
        return new BenchReading(d.id(), d.type(), kind, rx, ts, nextSeq[i]++, data);
    }

    /** The next {@code n} readings. */
    List<BenchReading> next(int n) {
        List<BenchReading> out = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            out.add(next());
        }
        return out;
    }

    private String telemetry(String type) {
        StringBuilder sb = new StringBuilder(200);
        switch (type) {
            case "lamp_post" -> {
                boolean on = random.nextInt(10) < 6;
                double power = on ? 40 + random.nextDouble() * 40 : 0.4;
                double voltage = 220 + random.nextDouble() * 15;
                sb.append("{\"lamp_on\":").append(on)
                        .append(",\"dim_pct\":").append(on ? 50 + random.nextInt(51) : 0)
                        .append(",\"power_w\":").append(tenths(power))
                        .append(",\"voltage_v\":").append(tenths(voltage))
                        .append(",\"current_a\":").append(Math.round(power / voltage * 1000) / 1000.0)
                        .append(",\"leakage_ma\":").append(tenths(0.5 + random.nextDouble() * 2))
                        .append(",\"tilt_deg\":").append(tenths(random.nextDouble() * 1.5))
                        .append(",\"lux\":").append(tenths(on ? random.nextDouble() * 10 : 200 + random.nextDouble() * 20_000))
                        .append(",\"cabinet_open\":false}");
            }
            case "manhole" -> sb.append("{\"cover_open\":false")
                    .append(",\"tilt_deg\":").append(tenths(random.nextDouble() * 3))
                    .append(",\"water_below_cover_cm\":").append(tenths(40 + random.nextDouble() * 120))
                    .append(",\"ch4_pct_lel\":").append(tenths(random.nextDouble() * 2))
                    .append(",\"h2s_ppm\":").append(tenths(random.nextDouble()))
                    .append(",\"battery_pct\":").append(tenths(60 + random.nextDouble() * 40))
                    .append(",\"rssi_dbm\":").append(-70 - random.nextInt(50)).append('}');
            case "smoke_detector" -> sb.append("{\"smoke_obscuration_pct_m\":").append(tenths(random.nextDouble() * 0.8))
                    .append(",\"temp_c\":").append(tenths(18 + random.nextDouble() * 8))
                    .append(",\"alarm\":false,\"tamper\":false")
                    .append(",\"battery_pct\":").append(tenths(60 + random.nextDouble() * 40))
                    .append(",\"rssi_dbm\":").append(-70 - random.nextInt(50)).append('}');
            default -> {
                boolean open = random.nextInt(20) == 0;
                sb.append("{\"door_open\":").append(open)
                        .append(",\"locked\":").append(!open)
                        .append(",\"open_s\":").append(open ? random.nextInt(30) : 0).append('}');
            }
        }
        return sb.toString();
    }

    private String event(String type) {
        return switch (type) {
            case "lamp_post" -> "{\"event\":\"tamper\"}";
            case "manhole" -> random.nextBoolean() ? "{\"event\":\"cover_opened\"}" : "{\"event\":\"cover_closed\"}";
            // A test-button press: an event, and not a fire.
            case "smoke_detector" -> "{\"event\":\"test\"}";
            default -> "{\"event\":\"access\",\"result\":\"" + (random.nextInt(10) == 0 ? "denied" : "granted")
                    + "\",\"method\":\"card\",\"subject\":\"psn1:" + pseudonym() + "\"}";
        };
    }

    /** A door subject as the gateway forwards it: a pseudonym, never the credential itself. */
    private String pseudonym() {
        char[] c = new char[22];
        for (int i = 0; i < c.length; i++) {
            c[i] = PSEUDONYM_CHARS.charAt(random.nextInt(PSEUDONYM_CHARS.length()));
        }
        return new String(c);
    }

    private static double tenths(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
