package org.communityguard.hub.incident;

import java.util.List;
import org.slf4j.LoggerFactory;

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

    /** Tells each listener in turn; one that fails does not keep the news from the others. */
    static IncidentListener all(IncidentListener... listeners) {
        List<IncidentListener> each = List.of(listeners);
        return new IncidentListener() {
            @Override
            public void opened(List<IncidentStore.Opened> incidents) {
                each.forEach(l -> tell(() -> l.opened(incidents), l));
            }

            @Override
            public void fireConfirmed(List<FireConfirmation> confirmations) {
                each.forEach(l -> tell(() -> l.fireConfirmed(confirmations), l));
            }
        };
    }

    private static void tell(Runnable call, IncidentListener listener) {
        try {
            call.run();
        } catch (RuntimeException e) {
            // The incident is committed; a failing listener must not undo that or silence the others.
            LoggerFactory.getLogger(IncidentListener.class).error("incident listener {} failed", listener, e);
        }
    }
}
