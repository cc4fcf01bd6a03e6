package org.communityguard.hub.incident.rules;

/**
 * Debounce and hysteresis for one condition of one device, the heart of "a noisy sensor opens
 * one incident, not fifty". The condition is raised after {@code needed} consecutive readings
 * over the raise threshold, and cleared only by a reading on the safe side of the (lower) clear
 * threshold; a reading in between changes nothing. Readings that do not measure the condition
 * (the field is absent) are not passed in at all.
 *
 * <p>Rules open a candidate for every reading that is over the threshold while the latch is
 * raised; the database keeps it to one open incident, and a person who closes an incident whose
 * sensor still reads danger sees it come back. A clear adds a "sensor reports normal" note.
 */
public final class Latch {

    public enum Change { NONE, RAISED, CLEARED }

    private boolean raised;
    private int streak;

    public Change update(boolean over, boolean clear, int needed) {
        if (raised) {
            if (clear && !over) {
                raised = false;
                streak = 0;
                return Change.CLEARED;
            }
            return Change.NONE;
        }
        if (!over) {
            streak = 0;
            return Change.NONE;
        }
        if (++streak >= needed) {
            raised = true;
            streak = 0;
            return Change.RAISED;
        }
        return Change.NONE;
    }

    public boolean raised() {
        return raised;
    }

    public Latch copy() {
        Latch l = new Latch();
        l.raised = raised;
        l.streak = streak;
        return l;
    }
}
