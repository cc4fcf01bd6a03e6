package org.communityguard.sim.site;

/** A gateway of the community; {@code name} defaults to the id. */
public record Gateway(String id, String name) {
}
