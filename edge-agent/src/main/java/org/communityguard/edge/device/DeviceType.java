package org.communityguard.edge.device;

import java.util.Optional;

/**
 * The device types of the reference device profile v1, by their wire names, and {@link #GATEWAY}:
 * the type of the gateway's own readings in the uplink contract, which no device may claim.
 */
public enum DeviceType {
    LAMP_POST("lamp_post"),
    MANHOLE("manhole"),
    SMOKE_DETECTOR("smoke_detector"),
    DOOR_ACCESS("door_access"),
    /** The gateway reporting on itself (health, linkage, overflow); never a device's type. */
    GATEWAY("gateway");

    private final String wireName;

    DeviceType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The types a device may have: the profile's four, never {@link #GATEWAY}. */
    public static Optional<DeviceType> fromWireName(String name) {
        return fromUplinkName(name).filter(type -> type != GATEWAY);
    }

    /** Any type of the uplink contract, {@link #GATEWAY} included (for readings read back from the buffer). */
    public static Optional<DeviceType> fromUplinkName(String name) {
        for (DeviceType type : values()) {
            if (type.wireName.equals(name)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
