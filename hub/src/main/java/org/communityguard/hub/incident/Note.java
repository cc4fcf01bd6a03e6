package org.communityguard.hub.incident;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Something a rule has to add to the timeline of the device's open incident of {@code type}, if
 * there is one: a sensor reporting normal again, a gateway's local linkage. A note never opens or
 * closes an incident: people close incidents.
 *
 * @param action  the timeline action, e.g. {@code sensor_normal}
 * @param details what the sensor said; includes a human-readable {@code message}
 */
public record Note(IncidentType type, String deviceId, long occurredAt, String action, ObjectNode details) {

    public static final String SENSOR_NORMAL = "sensor_normal";
    public static final String LINKAGE = "linkage";
}
