package org.communityguard.edge.device;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What this gateway knows about a device: its provisioned type (from the site file), or empty when
 * the device is not provisioned here. Readings of unprovisioned devices are accepted and flagged;
 * a provisioned device that claims another type is refused.
 */
@FunctionalInterface
public interface Provisioning {

    Optional<DeviceType> typeOf(String deviceId);

    /** No device is provisioned: every reading is flagged {@link Flag#UNPROVISIONED}. */
    static Provisioning none() {
        return deviceId -> Optional.empty();
    }

    /** A fixed set of devices, e.g. the site file's {@code devices[].id -> devices[].type}. */
    static Provisioning of(Map<String, DeviceType> devices) {
        // Optionals built once: this lookup runs for every reading.
        Map<String, Optional<DeviceType>> types = new HashMap<>();
        devices.forEach((id, type) -> types.put(id, Optional.of(type)));
        Map<String, Optional<DeviceType>> frozen = Map.copyOf(types);
        return deviceId -> deviceId == null ? Optional.empty() : frozen.getOrDefault(deviceId, Optional.empty());
    }
}
