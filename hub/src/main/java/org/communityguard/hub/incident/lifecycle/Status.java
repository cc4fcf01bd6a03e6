package org.communityguard.hub.incident.lifecycle;

import java.util.Locale;
import java.util.Optional;

/** Where an incident is in the closed loop; stored as its wire name in {@code incidents.status}. */
public enum Status {
    OPEN, DISPATCHED, ACKNOWLEDGED, ON_SITE, RESOLVED, CLOSED, CANCELLED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Closed and cancelled are final: nothing but a reopen (of a closed one) leaves them. */
    public boolean isFinal() {
        return this == CLOSED || this == CANCELLED;
    }

    public static Optional<Status> fromWireName(String name) {
        for (Status s : values()) {
            if (s.wireName().equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
