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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the live board: every incident opened (told after its commit) is read as a board row and
 * published as {@code incident.opened}. The read runs on its own thread, so the ingest writer
 * that committed the incident is not held up by the console.
 */
public final class LiveBoard implements IncidentListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LiveBoard.class);

    public static final String OPENED = "incident.opened";

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
        List<Long> ids = incidents.stream().map(IncidentStore.Opened::id).toList();
        try {
            executor.execute(() -> publish(ids));
        } catch (RejectedExecutionException e) {
            // Ten thousand batches behind: browsers are told to reload rather than miss these.
            log.warn("live board is behind; {} incidents announced as a reset", ids.size());
            events.publish(LiveEvents.RESET, "{}");
        }
    }

    private void publish(List<Long> ids) {
        try {
            for (BoardIncident row : board.byIds(ids)) {
                events.publish(OPENED, json.writeValueAsString(row));
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
