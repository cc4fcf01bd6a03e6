package org.communityguard.sim.device;

import org.communityguard.sim.site.SiteDevice;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A door-access controller: a maglock, a door contact and a reader (card, face, PIN, QR, or a
 * remote release from the guard room). A granted access unlocks the door for one passage; the
 * door closes again a few seconds later. A door opened without a grant is reported as forced; a
 * door open longer than {@link #HELD_OPEN_LIMIT} as held open.
 *
 * <p>Subjects are raw credential ids ("CARD-0012345678"), personal data on purpose: the gateway
 * must pseudonymize them, and tests check that it does.
 */
public final class DoorAccess extends SimDevice {

    public static final Duration HELD_OPEN_LIMIT = Duration.ofSeconds(60);

    private static final int RESIDENTS = 40;

    /** The residents' credentials, shared by the doors of one building. */
    private final List<String> cards = new ArrayList<>();
    private final List<String> faces = new ArrayList<>();
    private boolean released;
    private Instant openSince;
    private Instant closesAt;
    private boolean passageGranted;
    private boolean forcedReported;
    private boolean heldReported;

    DoorAccess(SiteDevice entry, long seed) {
        super(entry, seed);
        String building = entry.building() == null ? entry.id() : entry.building();
        Random residents = new Random(seed * 31 + building.hashCode());
        for (int i = 0; i < RESIDENTS; i++) {
            cards.add(String.format("CARD-%010d", residents.nextInt(100_000_000)));
            faces.add(String.format("FACE-%08d", residents.nextInt(100_000_000)));
        }
    }

    /** A credential presented at the reader; a grant opens the door for one passage. */
    public synchronized void access(Moment moment, String subject, String method, boolean granted) {
        Map<String, Object> event = eventData("access");
        event.put("result", granted ? "granted" : "denied");
        event.put("method", method);
        event.put("subject", subject);
        queueEvent(event);
        if (granted) {
            open(moment.now(), moment.now().plusSeconds(3 + random.nextInt(6)), true);
        }
    }

    /** A card nobody in the building holds, as in a brute-force attempt. */
    public synchronized String unknownCard() {
        return String.format("CARD-%010d", 100_000_000L + random.nextInt(900_000_000));
    }

    /** A resident's card, e.g. to show a known subject in a test. */
    public synchronized String residentCard() {
        return cards.get(random.nextInt(cards.size()));
    }

    /** The door is pushed open without a grant (the lock stays thrown) and stays open. */
    public synchronized void force(Moment moment) {
        open(moment.now(), null, false);
    }

    /** After a normal grant the door is propped open; it has been open for {@code openFor} already. */
    public synchronized void holdOpen(Moment moment, Duration openFor) {
        access(moment, residentCard(), "card", true);
        open(moment.now().minus(openFor), null, true);
    }

    public synchronized boolean locked() {
        return !released && !(openSince != null && passageGranted);
    }

    @Override
    public synchronized int live(Moment moment) {
        double h = hours(moment);
        double chance = h >= 6.5 && h < 22 ? 0.3 : 0.05;
        if (random.nextDouble() >= chance) {
            return 0;
        }
        double m = random.nextDouble();
        String method = m < 0.65 ? "card" : m < 0.9 ? "face" : m < 0.95 ? "pin" : m < 0.99 ? "qr" : "remote";
        boolean granted = random.nextDouble() < 0.94;
        access(moment, subject(method, granted), method, granted);
        return 1;
    }

    private String subject(String method, boolean granted) {
        int who = random.nextInt(RESIDENTS);
        return switch (method) {
            case "card" -> granted || random.nextBoolean() ? cards.get(who) : unknownCard();
            case "face" -> faces.get(who);
            case "pin" -> String.format("PIN-%04d", 1000 + who);
            case "qr" -> String.format("QR-%08x", random.nextInt());
            default -> "GUARD-01";
        };
    }

    private void open(Instant since, Instant closes, boolean granted) {
        openSince = since;
        closesAt = closes;
        passageGranted = granted;
    }

    @Override
    protected void sample(Moment moment, Map<String, Object> telemetry, List<Map<String, Object>> events) {
        Instant now = moment.now();
        if (openSince != null && closesAt != null && !now.isBefore(closesAt)) {
            openSince = null;
        }
        boolean open = openSince != null;
        long openS = open ? Math.max(0, Duration.between(openSince, now).toSeconds()) : 0;
        if (!open) {
            forcedReported = false;
            heldReported = false;
            passageGranted = false;
        }
        if (open && !passageGranted && !released && !forcedReported) {
            events.add(eventData("forced_open"));
            forcedReported = true;
        }
        if (open && openS >= HELD_OPEN_LIMIT.toSeconds() && !heldReported) {
            Map<String, Object> held = eventData("held_open");
            held.put("open_s", openS);
            events.add(held);
            heldReported = true;
        }
        telemetry.put("door_open", open);
        telemetry.put("locked", locked());
        telemetry.put("open_s", Math.min(openS, 86_400));
    }

    @Override
    protected boolean applyOwn(Command command) {
        if (!"door".equals(command.cmd())) {
            return false;
        }
        String action = command.text("action").orElse("");
        switch (action) {
            case "release" -> released = true;
            case "lock" -> released = false;
            default -> {
                return false;
            }
        }
        return true;
    }

    @Override
    protected void resetScenario() {
        openSince = null;
        closesAt = null;
        passageGranted = false;
    }
}
