package org.communityguard.edge.device;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs rejected device messages at WARN, at most one line per device per interval, so a device
 * stuck in a loop of bad messages cannot fill the gateway's SD card. The next line that gets
 * through says how many were held back; the counter {@code edge_readings_rejected_total} counts
 * every one regardless.
 *
 * <p>Devices with an invalid id share one slot (their ids are attacker-chosen), and so do
 * {@code overloaded} rejections (the gateway is the cause, not the device). Bounded like
 * {@link DeviceMemory}.
 */
final class RejectionLog {

    private static final Logger LOG = LoggerFactory.getLogger(RejectionLog.class);
    private static final String INVALID_IDS = "\u0000invalid";
    private static final String OVERLOAD = "\u0000overloaded";

    private static final class Slot {
        long lastLoggedAt;
        long suppressed;
    }

    private final long intervalMs;
    private final Clock clock;
    private final Map<String, Slot> slots;

    RejectionLog(Duration interval, int maxDevices, Clock clock) {
        this.intervalMs = interval.toMillis();
        this.clock = clock;
        this.slots = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Slot> eldest) {
                return size() > maxDevices;
            }
        };
    }

    void rejected(Protocol protocol, String deviceId, Rejection rejection) {
        boolean validId = DeviceIds.isValid(deviceId);
        String key = rejection.reason() == RejectReason.OVERLOADED ? OVERLOAD : validId ? deviceId : INVALID_IDS;
        long suppressed = admit(key, clock.millis());
        if (suppressed < 0) {
            return;
        }
        String device = validId ? deviceId : "\"" + DeviceIds.printable(deviceId) + "\"";
        if (suppressed == 0) {
            LOG.warn("rejected {} message from device {}: {}: {}", protocol.wireName(), device,
                    rejection.reason().wireName(), rejection.detail());
        } else {
            LOG.warn("rejected {} message from device {}: {}: {} ({} similar lines suppressed)", protocol.wireName(), device,
                    rejection.reason().wireName(), rejection.detail(), suppressed);
        }
    }

    /** How many lines were held back since the last one, or -1 when this one is held back too. */
    private synchronized long admit(String key, long now) {
        Slot slot = slots.get(key);
        if (slot == null) {
            slots.put(key, slot = new Slot());
            slot.lastLoggedAt = now;
            return 0;
        }
        if (now - slot.lastLoggedAt < intervalMs) {
            slot.suppressed++;
            return -1;
        }
        long suppressed = slot.suppressed;
        slot.suppressed = 0;
        slot.lastLoggedAt = now;
        return suppressed;
    }
}
