package org.communityguard.hub.incident.lifecycle;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Told, after the commit, which incidents the loop changed: status, dispatch or escalation
 * (the console's live board then reads the timeline at once instead of at its next poll; the
 * events themselves come from the timeline). Called on the thread that committed (an API worker
 * or the hub-loop thread): hand slow work to another thread.
 */
@FunctionalInterface
public interface LoopListener {

    LoopListener NONE = ids -> { };

    void changed(List<Long> incidentIds);

    /**
     * Tells {@code listener}, never throwing: the change is committed, and a failing listener
     * must neither fail the action that made it nor stop the loop's thread.
     */
    static void tell(LoopListener listener, List<Long> incidentIds) {
        if (incidentIds.isEmpty()) {
            return;
        }
        try {
            listener.changed(incidentIds);
        } catch (RuntimeException e) {
            Logger log = LoggerFactory.getLogger(LoopListener.class);
            log.error("loop listener {} failed for incidents {}", listener, incidentIds, e);
        }
    }
}
