package org.communityguard.edge.identity;

import java.util.Optional;

/**
 * How a device proves who it is: the site file's {@code auth} (docs/site-file.md, "Device
 * identity"). Its key is never in the site file, which the hub reads and the demo commits: it is
 * in the gateway's {@link DeviceKeys} file.
 */
public enum DeviceAuth {
    /**
     * The device has a key in the gateway's keys file: it is the DTLS pre-shared key of its CoAP
     * requests (identity = device id) and, as hex text, its MQTT broker password (user = device id).
     */
    PSK("psk"),
    /**
     * The device proves nothing: it may post over plain CoAP, where anyone who can reach the
     * gateway may speak as it. For the demo, or a network the installer trusts.
     */
    NONE("none");

    private final String wireName;

    DeviceAuth(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<DeviceAuth> fromWireName(String name) {
        for (DeviceAuth auth : values()) {
            if (auth.wireName.equals(name)) {
                return Optional.of(auth);
            }
        }
        return Optional.empty();
    }
}
