package org.communityguard.edge.buffer;

/**
 * Telemetry dropped for lack of disk, waiting to be reported to the hub as one
 * {@code buffer_overflow} event (docs/uplink.md): at once after the first drop, then at most once
 * per {@link UplinkBuffer#OVERFLOW_REPORT_INTERVAL}, each report covering the drops since the last
 * one. Writer thread only; a report counts only once its transaction commits.
 */
final class Overflow {

    private long count;
    private long firstRx;
    private long lastRx;
    /** Drops added in the transaction under way, undone if it rolls back. */
    private long uncommittedCount;
    private long savedFirstRx;
    private long savedLastRx;
    private long nextReportAt;

    void add(BufferStore.Dropped d) {
        if (uncommittedCount == 0) {
            savedFirstRx = firstRx;
            savedLastRx = lastRx;
        }
        firstRx = count == 0 ? d.firstRx() : Math.min(firstRx, d.firstRx());
        lastRx = Math.max(lastRx, d.lastRx());
        count += d.readings();
        uncommittedCount += d.readings();
    }

    boolean due(long now) {
        return count > 0 && now >= nextReportAt;
    }

    long pendingCount() {
        return count;
    }

    long pendingFirstRx() {
        return firstRx;
    }

    long pendingLastRx() {
        return lastRx;
    }

    /** The transaction committed; {@code reported}: it carried a report of everything pending. */
    void committed(boolean reported, long now) {
        uncommittedCount = 0;
        if (reported) {
            count = 0;
            firstRx = 0;
            lastRx = 0;
            nextReportAt = now + UplinkBuffer.OVERFLOW_REPORT_INTERVAL.toMillis();
        }
    }

    /** The transaction rolled back: its drops did not happen. */
    void rollback() {
        count -= uncommittedCount;
        if (uncommittedCount > 0) {
            firstRx = savedFirstRx;
            lastRx = savedLastRx;
        }
        uncommittedCount = 0;
    }
}
