package org.communityguard.sim.site;

import java.time.Duration;

/**
 * One device entry of the site file. {@code building} and {@code location} are null when the
 * file gives none; {@code interval} is the expected reporting interval (the file's
 * {@code interval_s}, or the profile default: 60 s for MQTT devices, 300 s for CoAP devices).
 */
public record SiteDevice(String id, DeviceType type, String building, String gateway, String location,
                         Duration interval) {
}
