package org.communityguard.hub.auth;

import java.util.Optional;

/**
 * What an API key may read (docs/data-sharing.md). A key opens only the routes that name one of
 * its scopes ({@code api.Route#scopes}); no route that changes anything, and none of accounts,
 * sessions or settings, names a scope, so no key reaches them.
 */
public enum Scope {
    /** Incidents as other systems see them: no personal data, no free text ({@code /api/shared/incidents}). */
    INCIDENTS_READ("incidents:read"),
    /** The supervision KPIs and the hourly aggregates of readings. */
    AGGREGATES_READ("aggregates:read"),
    /** The open-data exports ({@code /api/open/...}). */
    OPENDATA_READ("opendata:read"),
    /** {@code /metrics}, when {@code http.metrics-require-key} is on. */
    METRICS_READ("metrics:read");

    private final String wireName;

    Scope(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<Scope> fromWireName(String name) {
        for (Scope s : values()) {
            if (s.wireName.equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
