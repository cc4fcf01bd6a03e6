package org.communityguard.sim.site;

import java.util.Arrays;
import java.util.Optional;

/** The device types of the reference device profile v1, with the transport each one uses. */
public enum DeviceType {
    LAMP_POST("lamp_post", Transport.MQTT),
    MANHOLE("manhole", Transport.COAP),
    SMOKE_DETECTOR("smoke_detector", Transport.COAP),
    DOOR_ACCESS("door_access", Transport.MQTT);

    /** Mains-powered devices keep an MQTT connection; battery devices post over CoAP (NB-IoT style). */
    public enum Transport { MQTT, COAP }

    private final String wireName;
    private final Transport transport;

    DeviceType(String wireName, Transport transport) {
        this.wireName = wireName;
        this.transport = transport;
    }

    /** The name used in site files and in the message body's {@code type}. */
    public String wireName() {
        return wireName;
    }

    public Transport transport() {
        return transport;
    }

    public static Optional<DeviceType> fromWire(String name) {
        return Arrays.stream(values()).filter(t -> t.wireName.equals(name)).findFirst();
    }
}
