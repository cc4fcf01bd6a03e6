package org.communityguard.hub.ingest;

import java.util.List;

/**
 * A decoded uplink batch: the readings to store and the ones rejected inside it.
 *
 * @param batchId the gateway's idempotency key
 */
public record UplinkBatch(String gatewayId, String batchId, List<IncomingReading> readings, List<Rejected> rejected) {

    /** A reading inside an otherwise valid batch that the hub refused, and why. */
    public record Rejected(int index, String reason, String detail) {
    }
}
