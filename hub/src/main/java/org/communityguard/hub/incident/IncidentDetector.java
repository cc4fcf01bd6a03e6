package org.communityguard.hub.incident;

import java.util.ArrayList;
import java.util.List;
import org.communityguard.hub.ingest.IncomingReading;

/** Runs every rule over every stored reading: this is where an incident is raised. */
public final class IncidentDetector {

    private final List<IncidentRule> rules;

    public IncidentDetector(List<IncidentRule> rules) {
        this.rules = List.copyOf(rules);
    }

    public List<Candidate> detect(String gatewayId, List<IncomingReading> readings) {
        List<Candidate> out = new ArrayList<>(0);
        for (IncomingReading r : readings) {
            for (IncidentRule rule : rules) {
                rule.evaluate(gatewayId, r, out);
            }
        }
        return out;
    }
}
