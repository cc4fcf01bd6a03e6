package org.communityguard.edge.device;

import java.util.Optional;

/** The device types of the reference device profile v1, by their wire names. */
public enum DeviceType {
    LAMP_POST("lamp_post"),
    MANHOLE("manhole"),
    SMOKE_DETECTOR("smoke_detector"),
    DOOR_ACCESS("door_access");

    private final String wireName;

    DeviceType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<DeviceType> fromWireName(String name) {
        for (DeviceType type : values()) {
            if (type.wireName.equals(name)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
