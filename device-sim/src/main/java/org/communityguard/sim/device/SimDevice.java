package org.communityguard.sim.device;

import org.communityguard.sim.site.DeviceType;
import org.communityguard.sim.site.SiteDevice;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One simulated device: its physical state, its sensors and its sequence counter. It knows
 * nothing about the network: it turns state into {@link Message}s and commands into state.
 *
 * <p>Scenarios change the state (a fire starts, a cover is lifted) and then ask for a
 * {@link #report}; the report compares the new reading with the last one and emits the events a
 * real device would raise on that transition (alarm, cover_opened, forced_open ...) before the
 * telemetry. So every event is backed by a reading that explains it.
 *
 * <p>All randomness comes from a generator seeded by the simulation seed and the device id, so the
 * same seed gives the same readings in the same order. Methods are synchronized: the periodic
 * tick, scenario steps and command handling run on different scheduler threads.
 */
public abstract sealed class SimDevice permits LampPost, Manhole, SmokeDetector, DoorAccess {

    /** {@code seq} is an unsigned 32-bit counter in the profile: 0..2^32-1, then 0 again. */
    static final long SEQ_MODULUS = 1L << 32;

    private final SiteDevice entry;
    protected final Random random;
    private final List<Map<String, Object>> pendingEvents = new ArrayList<>();
    private long nextSeq;
    /** No message of this boot carries an earlier {@code ts} (see {@link #reboot}). */
    private long bootTs = Long.MIN_VALUE;
    private boolean siren;

    protected SimDevice(SiteDevice entry, long simulationSeed) {
        this.entry = entry;
        this.random = new Random(simulationSeed * 0x9E3779B97F4A7C15L + entry.id().hashCode());
    }

    public static SimDevice create(SiteDevice entry, long simulationSeed) {
        return switch (entry.type()) {
            case LAMP_POST -> new LampPost(entry, simulationSeed);
            case MANHOLE -> new Manhole(entry, simulationSeed);
            case SMOKE_DETECTOR -> new SmokeDetector(entry, simulationSeed);
            case DOOR_ACCESS -> new DoorAccess(entry, simulationSeed);
        };
    }

    public String id() {
        return entry.id();
    }

    public DeviceType type() {
        return entry.type();
    }

    /** The building id from the site file, or null. */
    public String building() {
        return entry.building();
    }

    public SiteDevice entry() {
        return entry;
    }

    /** Samples the sensors: the events this reading raises (queued ones first), then the telemetry. */
    public final synchronized List<Message> report(Moment moment) {
        Map<String, Object> data = new LinkedHashMap<>();
        List<Map<String, Object>> raised = new ArrayList<>();
        sample(moment, data, raised);
        if (siren) {
            data.put("siren", true);
        }
        List<Message> out = flushEvents(moment);
        for (Map<String, Object> event : raised) {
            out.add(message(moment, Message.Kind.EVENT, event));
        }
        out.add(message(moment, Message.Kind.TELEMETRY, data));
        return out;
    }

    /** Only the queued events (an access attempt, a test-button press), without a reading. */
    public final synchronized List<Message> flushEvents(Moment moment) {
        List<Message> out = new ArrayList<>();
        for (Map<String, Object> event : pendingEvents) {
            out.add(message(moment, Message.Kind.EVENT, event));
        }
        pendingEvents.clear();
        return out;
    }

    /** An event right now, e.g. a command acknowledgement. */
    public final synchronized Message event(Moment moment, Map<String, Object> data) {
        return message(moment, Message.Kind.EVENT, data);
    }

    /** Ordinary life between readings (people badging in); queues events, returns how many. */
    public synchronized int live(Moment moment) {
        return 0;
    }

    /** Applies a downlink command; false when this device does not understand it. */
    public final synchronized boolean apply(Command command) {
        if ("siren".equals(command.cmd())) {
            return command.bool("on").map(on -> {
                siren = on;
                return true;
            }).orElse(false);
        }
        return applyOwn(command);
    }

    /** Ends whatever scenario the device is in; the next report shows (and announces) normal state. */
    public final synchronized void reset() {
        resetScenario();
    }

    /** The seq the next message will carry. */
    public final synchronized long nextSeq() {
        return nextSeq;
    }

    /** Lets a test start the counter near the wrap. */
    final synchronized void startSeqAt(long seq) {
        if (seq < 0 || seq >= SEQ_MODULUS) {
            throw new IllegalArgumentException("seq must be 0..2^32-1: " + seq);
        }
        nextSeq = seq;
    }

    /**
     * A power cycle: the seq counter starts again at {@code seq} and every message from now on
     * carries a {@code ts} of {@code bootTs} or later. Each message takes its moment before it
     * takes this device's lock, so a reading sampled just before the reboot and sent just after
     * would otherwise carry a time of the boot before; the Ledger tells boots apart by time.
     * The device's state (a detector in alarm) survives, as the smoke does.
     */
    public final synchronized void reboot(long seq, long bootTs) {
        startSeqAt(seq);
        this.bootTs = bootTs;
    }

    protected abstract void sample(Moment moment, Map<String, Object> telemetry, List<Map<String, Object>> events);

    protected abstract boolean applyOwn(Command command);

    protected abstract void resetScenario();

    protected final void queueEvent(Map<String, Object> event) {
        pendingEvents.add(event);
    }

    private Message message(Moment moment, Message.Kind kind, Map<String, Object> data) {
        long seq = nextSeq;
        nextSeq = (nextSeq + 1) % SEQ_MODULUS;
        return new Message(id(), type(), kind, seq, Math.max(bootTs, moment.now().toEpochMilli()), data);
    }

    // Small helpers for the sensor models.

    protected static Map<String, Object> eventData(String name) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("event", name);
        return data;
    }

    protected double noise(double sigma) {
        return random.nextGaussian() * sigma;
    }

    protected double between(double low, double high) {
        return low + random.nextDouble() * (high - low);
    }

    protected static double clamp(double value, double low, double high) {
        return Math.max(low, Math.min(high, value));
    }

    protected static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }

    protected static double hours(Moment moment) {
        return moment.timeOfDay().toSecondOfDay() / 3600.0;
    }
}
