package org.communityguard.sim.site;

/** A building; {@code name} defaults to the id, {@code grid} is null when the file gives none. */
public record Building(String id, String name, String grid) {
}
