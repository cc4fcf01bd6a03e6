package org.communityguard.hub.incident.lifecycle;

/**
 * What someone (or the hub) does to an incident. {@code path} is the API's
 * {@code POST /api/incidents/{id}/{path}}; {@code timeline} is the action recorded.
 */
public enum Action {
    DISPATCH("dispatch", "dispatched"),
    ACKNOWLEDGE("acknowledge", "acknowledged"),
    CHECK_IN("check-in", "checked_in"),
    RESOLVE("resolve", "resolved"),
    CLOSE("close", "closed"),
    REOPEN("reopen", "reopened"),
    CANCEL("cancel", "cancelled");

    private final String path;
    private final String timeline;

    Action(String path, String timeline) {
        this.path = path;
        this.timeline = timeline;
    }

    public String path() {
        return path;
    }

    public String timelineAction() {
        return timeline;
    }
}
