package org.communityguard.hub.incident;

/**
 * Every incident a sensor can raise (the domain brief's table), with its default severity. The
 * triggers, thresholds and hysteresis of each are in docs/incidents.md.
 */
public enum IncidentType {
    /** A smoke detector's alarm, dense smoke, heat, or a fast temperature rise. */
    FIRE(Severity.CRITICAL),
    /** A detector (smoke detector or manhole monitor) reports a fault: the spot it watches is unwatched. */
    DETECTOR_FAULT(Severity.MAJOR),
    /** A detector or door controller reports tampering. */
    DETECTOR_TAMPER(Severity.MAJOR),
    /** A battery device's battery is at or under its threshold. */
    LOW_BATTERY(Severity.MINOR),
    /** A manhole cover is open or tilted: a pedestrian can fall in. */
    COVER_DISPLACED(Severity.CRITICAL),
    /** Water close to a manhole cover, or rising fast enough to reach it soon. */
    FLOOD_RISK(Severity.MAJOR),
    /** Methane or hydrogen sulphide in a manhole over its threshold. */
    TOXIC_GAS(Severity.CRITICAL),
    /** Earth-leakage current at a lamp-post over its threshold: electrocution risk. */
    ELECTRIC_LEAKAGE(Severity.CRITICAL),
    /** A lamp-post leans over its threshold: collapse risk. */
    STRUCTURAL_TILT(Severity.MAJOR),
    /** A lamp that is on draws (almost) no power, or the lamp reports a fault. */
    LAMP_FAULT(Severity.MINOR),
    /** A lamp-post's cabinet is open (live parts exposed), or its tamper switch fired. */
    CABINET_OPEN(Severity.MAJOR),
    /** A door opened without a grant. */
    DOOR_FORCED(Severity.MAJOR),
    /** A door held open longer than its threshold. */
    DOOR_HELD_OPEN(Severity.MINOR),
    /** Many denied access attempts at one door in a short window. */
    BRUTE_FORCE(Severity.MAJOR),
    /** A device is silent for several reporting intervals, or its gateway reports it offline. */
    DEVICE_OFFLINE(Severity.MINOR),
    /** A gateway's uplink has been disconnected for longer than its threshold. */
    GATEWAY_OFFLINE(Severity.MAJOR);

    private final Severity severity;

    IncidentType(Severity severity) {
        this.severity = severity;
    }

    public Severity defaultSeverity() {
        return severity;
    }
}
