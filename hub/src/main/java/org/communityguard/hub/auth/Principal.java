package org.communityguard.hub.auth;

/** Who is calling: a user with a role. */
public record Principal(String username, Role role) {
}
