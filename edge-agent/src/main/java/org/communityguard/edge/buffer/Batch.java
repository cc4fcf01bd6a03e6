package org.communityguard.edge.buffer;

import java.util.List;

/**
 * Readings sealed into one uplink batch. The id is the hub's idempotency key: it is written to
 * disk together with the batch's membership before the batch is first sent, so a batch is
 * resent with the same id until the hub acknowledges it, across restarts too.
 *
 * @param number   order of sealing, so resent batches keep their original order
 * @param readings each reading encoded as its uplink JSON object ({@link ReadingCodec})
 * @param urgent   safety events only (they are sealed apart from routine readings): resent first
 */
public record Batch(String id, long number, List<byte[]> readings, boolean urgent) {

    public Batch {
        readings = List.copyOf(readings);
    }

    public Batch(String id, long number, List<byte[]> readings) {
        this(id, number, readings, false);
    }

    public int size() {
        return readings.size();
    }
}
