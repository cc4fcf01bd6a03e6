package org.communityguard.hub.incident;

import java.util.List;

/**
 * Told about incidents once the transaction that opened them has committed (dispatch,
 * notification, the console's live board). Called on an ingest writer thread: hand slow work
 * to another thread.
 */
@FunctionalInterface
public interface IncidentListener {

    void opened(List<IncidentStore.Opened> incidents);

    IncidentListener NONE = incidents -> { };
}
