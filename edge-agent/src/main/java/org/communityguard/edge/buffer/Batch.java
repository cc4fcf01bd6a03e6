package org.communityguard.edge.buffer;

import java.util.List;
import org.communityguard.edge.device.Reading;

/**
 * Readings sealed into one uplink batch. The id is the hub's idempotency key: a batch is
 * resent with the same id until the hub acknowledges it.
 *
 * @param number order of sealing, so resent batches keep their original order
 */
public record Batch(String id, long number, List<Reading> readings) {

    public Batch {
        readings = List.copyOf(readings);
    }
}
