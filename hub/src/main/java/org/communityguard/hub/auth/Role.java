package org.communityguard.hub.auth;

import java.util.Locale;
import java.util.Optional;

/**
 * Roles decide who sees what (docs: domain brief, "Privacy and data boundaries"). RESIDENT is
 * a registered resident with the app: reports, sees and rates only their own reports.
 */
public enum Role {
    ADMIN, PROPERTY_MANAGER, GRID_WORKER, SUPERVISOR, AUDITOR, RESIDENT;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> fromWireName(String name) {
        for (Role r : values()) {
            if (r.wireName().equals(name)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
