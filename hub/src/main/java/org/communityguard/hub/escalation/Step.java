package org.communityguard.hub.escalation;

import java.util.Locale;

/** A step of the loop with a deadline. Each SLA policy gives a time for each, counted from opening. */
public enum Step {
    ACKNOWLEDGE, ON_SITE, RESOLVE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
