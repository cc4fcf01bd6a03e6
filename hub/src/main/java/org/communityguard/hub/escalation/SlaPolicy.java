package org.communityguard.hub.escalation;

import java.time.Instant;

/** The deadlines of one severity, in seconds from an incident's opening. */
public record SlaPolicy(String severity, int acknowledgeS, int onSiteS, int resolveS, Instant updatedAt, String updatedBy) {

    public int seconds(Step step) {
        return switch (step) {
            case ACKNOWLEDGE -> acknowledgeS;
            case ON_SITE -> onSiteS;
            case RESOLVE -> resolveS;
        };
    }
}
