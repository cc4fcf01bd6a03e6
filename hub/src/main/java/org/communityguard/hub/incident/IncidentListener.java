package org.communityguard.hub.incident;

import java.util.List;

/**
 * Told about incidents once the transaction that opened them has committed (dispatch,
 * notification, the console's live board). Called on an ingest writer thread (or the liveness
 * monitor's thread): hand slow work to another thread.
 */
@FunctionalInterface
public interface IncidentListener {

    void opened(List<IncidentStore.Opened> incidents);

    /** A second detector of a building confirmed a fire (residents to be told); after commit, like {@link #opened}. */
    default void fireConfirmed(List<FireConfirmation> confirmations) {
    }

    IncidentListener NONE = incidents -> { };
}
