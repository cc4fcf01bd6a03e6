package org.communityguard.hub.incident;

/** Incident types and their default severity. The incident engine issue adds the rest of the domain table. */
public enum IncidentType {
    FIRE(Severity.CRITICAL);

    private final Severity severity;

    IncidentType(Severity severity) {
        this.severity = severity;
    }

    public Severity defaultSeverity() {
        return severity;
    }
}
