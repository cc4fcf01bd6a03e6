package org.communityguard.hub.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * One reading of an uplink batch (docs/uplink.md), checked by {@link BatchCodec}.
 *
 * @param time       when it happened: the device time, or the gateway receive time when the
 *                   device sent none or its clock is off by more than five minutes
 * @param receivedAt gateway receive time ({@code rx}), epoch ms
 * @param deviceTs   device time ({@code ts}) as sent, epoch ms, or null
 * @param data       the device's fields; read-only once decoded
 */
public record IncomingReading(
        String deviceId,
        String deviceType,
        String kind,
        long time,
        long receivedAt,
        Long deviceTs,
        Long seq,
        List<String> flags,
        ObjectNode data) {

    public boolean isEvent(String event) {
        return "event".equals(kind) && event.equals(data.path("event").asText(null));
    }
}
