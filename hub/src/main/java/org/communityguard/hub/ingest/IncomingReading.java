package org.communityguard.hub.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

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

    /**
     * The device profile's events that report an alarm by themselves (the gateway's priority lane
     * less {@code access}, which is a card being used, not an alarm).
     */
    private static final Set<String> SAFETY_EVENTS = Set.of("alarm", "forced_open", "held_open", "tamper", "fault",
            "cover_opened");

    public boolean isEvent(String event) {
        return "event".equals(kind) && event.equals(data.path("event").asText(null));
    }

    /**
     * An alarm the device raised itself: one of its safety events, or a smoke detector's own
     * {@code alarm: true} verdict in telemetry (the same fire as its alarm event). Measurements
     * over a threshold are not: they are the hub's judgement of routine telemetry.
     */
    public boolean isSafetyAlarm() {
        if ("event".equals(kind)) {
            return SAFETY_EVENTS.contains(data.path("event").asText(""));
        }
        return "telemetry".equals(kind) && "smoke_detector".equals(deviceType) && data.path("alarm").booleanValue();
    }

    /** This reading with {@code flag} added (itself when it has it already). */
    public IncomingReading withFlag(String flag) {
        if (flags.contains(flag)) {
            return this;
        }
        List<String> more = new ArrayList<>(flags.size() + 1);
        more.addAll(flags);
        more.add(flag);
        return new IncomingReading(deviceId, deviceType, kind, time, receivedAt, deviceTs, seq, List.copyOf(more), data);
    }
}
