package org.communityguard.hub.ingest;

import java.util.List;

/**
 * A decoded uplink batch: the readings to store and the ones rejected inside it.
 *
 * @param batchId the gateway's idempotency key
 */
public record UplinkBatch(String gatewayId, String batchId, List<IncomingReading> readings, List<Rejected> rejected) {

    /** Whether one of its readings is a safety alarm ({@link IncomingReading#isSafetyAlarm}). */
    public boolean carriesSafetyAlarm() {
        for (IncomingReading r : readings) {
            if (r.isSafetyAlarm()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Where {@code readings().get(position)} stood in the gateway's {@code readings} array: the
     * rejected readings (in index order) left gaps.
     */
    public int indexOf(int position) {
        int index = position;
        for (Rejected r : rejected) {
            if (r.index() <= index) {
                index++;
            }
        }
        return index;
    }

    /** A reading inside an otherwise valid batch that the hub refused, and why. */
    public record Rejected(int index, String reason, String detail) {
    }
}
