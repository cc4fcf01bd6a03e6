package org.communityguard.hub.incident.rules;

/**
 * What the rules of one device type remember about one device between readings (latches,
 * trends, windows). Lives in memory on the ingest writers; after a hub restart it starts empty
 * and is rebuilt from the next readings (docs/incidents.md, "State").
 */
public abstract class RuleState {

    /** A deep copy, taken before a transaction changes the state so a rollback can restore it. */
    public abstract RuleState copy();
}
