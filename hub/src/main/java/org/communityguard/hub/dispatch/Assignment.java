package org.communityguard.hub.dispatch;

/** Where an incident goes: its grid, the responsible department and the on-duty responder (each may be null). */
public record Assignment(String grid, String department, String responder) {

    /** This assignment with every non-null field of {@code override} taking its place. */
    public Assignment with(Assignment override) {
        return new Assignment(
                override.grid() != null ? override.grid() : grid,
                override.department() != null ? override.department() : department,
                override.responder() != null ? override.responder() : responder);
    }
}
