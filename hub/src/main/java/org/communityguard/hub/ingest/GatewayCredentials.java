package org.communityguard.hub.ingest;

/** Checks a connecting gateway's secret: {@code GatewayRegistry::authenticate} in the hub, a lambda in tests. */
@FunctionalInterface
public interface GatewayCredentials {

    /** May be slow (password hashing); called off the event loop. */
    boolean check(String gatewayId, String secret) throws Exception;
}
