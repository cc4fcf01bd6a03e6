package org.communityguard.hub.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.communityguard.hub.api.LiveEvents;
import org.communityguard.hub.incident.IncidentListener;
import org.communityguard.hub.incident.IncidentStore;
import org.communityguard.hub.incident.lifecycle.LoopListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the live board: every incident opened (told after its commit) is read as a board row and
 * published as {@code incident.opened}; every change the loop commits (status, dispatch,
 * escalation) as {@code incident.updated}. Each event carries the incident's dispatch, so the
 * feed gives each client only the rows it may see. The reads run on their own thread, so the
 * ingest writer or API action that committed is not held up by the console.
 */
public final class LiveBoard implements IncidentListener, LoopListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LiveBoard.class);

    public static final String OPENED = "incident.opened";
    public static final String UPDATED = "incident.updated";

    private final BoardQuery board;
    private final LiveEvents events;
    private final ObjectMapper json;
    private final ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(10_000), new DefaultThreadFactory("hub-live-board", true));

    public LiveBoard(BoardQuery board, LiveEvents events, ObjectMapper json) {
        this.board = board;
        this.events = events;
        this.json = json;
    }

    @Override
    public void opened(List<IncidentStore.Opened> incidents) {
        publishLater(OPENED, incidents.stream().map(IncidentStore.Opened::id).toList());
    }

    @Override
    public void changed(List<Long> incidentIds) {
        publishLater(UPDATED, incidentIds);
    }

    private void publishLater(String type, List<Long> ids) {
        try {
            executor.execute(() -> publish(type, ids));
        } catch (RejectedExecutionException e) {
            // Ten thousand batches behind: browsers are told to reload rather than miss these.
            log.warn("live board is behind; {} incidents announced as a reset", ids.size());
            events.publish(LiveEvents.RESET, "{}");
        }
    }

    private void publish(String type, List<Long> ids) {
        try {
            for (BoardQuery.Published p : board.byIds(ids)) {
                events.publish(type, json.writeValueAsString(p.row()), p.audience());
            }
        } catch (Exception e) {
            log.warn("could not read incidents {} for the live board ({}); browsers reload instead", ids, e.toString());
            events.publish(LiveEvents.RESET, "{}");
        }
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
