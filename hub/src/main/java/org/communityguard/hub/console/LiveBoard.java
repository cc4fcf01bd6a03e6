package org.communityguard.hub.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.communityguard.hub.api.LiveEvents;
import org.communityguard.hub.incident.IncidentListener;
import org.communityguard.hub.incident.IncidentStore;
import org.communityguard.hub.incident.lifecycle.LoopListener;
import org.communityguard.hub.storage.DatabaseListener;
import org.communityguard.hub.task.PollingTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the live board from the database, so every hub's consoles see every hub's incidents:
 * every change of an incident is a timeline entry committed with it, and this board follows the
 * timeline ({@link TimelineFeed}). An entry {@code opened} is published as {@code incident.opened},
 * any other (dispatch, status, escalation, confirmation, a note) as {@code incident.updated}; each
 * with the incident's board row as it is now and its dispatch, so the feed gives each client only
 * the rows it may see.
 *
 * <pre>
 *   any hub's commit ──► incident_timeline row (same transaction) ──► NOTIFY incident_timeline (at commit)
 *                                                                          │
 *   this hub:  DatabaseListener (own connection) ── wake ──┐               │
 *              a commit on this hub (IncidentListener,     ├──► hub-live-board thread: entries since the last
 *              LoopListener) ───────────────── wake ───────┤    snapshot ─► board rows ─► LiveEvents
 *              every live.reconcile-interval ──────────────┘
 * </pre>
 *
 * Nothing is published from memory: a hub that crashes between its commit and its publish, a
 * notification lost with a dropped connection, a failing read: the entries are still in the
 * table and the next read (at the latest after {@code live.reconcile-interval}) publishes them.
 * The position only moves on once a read's events are published.
 */
public final class LiveBoard implements IncidentListener, LoopListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LiveBoard.class);

    public static final String OPENED = "incident.opened";
    public static final String UPDATED = "incident.updated";
    /** The notification channel the timeline's trigger sends on (migration V5). */
    static final String CHANNEL = "incident_timeline";
    /** More new entries than this in one read: browsers are told to reload rather than sent them all. */
    static final int MAX_ENTRIES_PER_READ = 5000;

    private final BoardQuery board;
    private final LiveEvents events;
    private final ObjectMapper json;
    private final TimelineFeed feed;
    private final Duration reconcile;
    private final PollingTask task;
    private final DatabaseListener listener;
    /** The snapshot of the last read whose events are published; only the task's thread moves it. */
    private String since;
    private long failures;

    /**
     * @param connector opens the connection that listens for the timeline's notifications (not from the pool)
     * @param reconcile how often the timeline is read without a notification
     */
    public LiveBoard(DataSource dataSource, DatabaseListener.Connector connector, BoardQuery board, LiveEvents events,
                     ObjectMapper json, Duration reconcile) {
        this.board = board;
        this.events = events;
        this.json = json;
        this.feed = new TimelineFeed(dataSource, MAX_ENTRIES_PER_READ);
        this.reconcile = reconcile;
        this.task = new PollingTask("hub-live-board", reconcile, this::catchUp);
        this.listener = new DatabaseListener(CHANNEL, connector, task::wake, reconcile);
    }

    /**
     * Starts following from now, before the hub serves its first board snapshot: every change
     * committed after a snapshot is then published after it.
     */
    public void start() throws SQLException {
        since = feed.now();
        task.start();
        listener.start();
    }

    /** A commit on this hub: read now, without waiting for its notification. */
    @Override
    public void opened(List<IncidentStore.Opened> incidents) {
        task.wake();
    }

    @Override
    public void changed(List<Long> incidentIds) {
        task.wake();
    }

    private void catchUp() {
        try {
            TimelineFeed.Batch batch = feed.since(since);
            if (batch.overflow()) {
                log.warn("more than {} incident changes at once; live browsers are told to reload", MAX_ENTRIES_PER_READ);
                events.publish(LiveEvents.RESET, "{}");
            } else if (!batch.entries().isEmpty()) {
                publish(batch.entries());
            }
            since = batch.snapshot();
            if (failures > 0) {
                log.info("live board reads the timeline again after {} failed reads", failures);
                failures = 0;
            }
        } catch (SQLException | JsonProcessingException | RuntimeException e) {
            // The position did not move: the next read publishes these changes. One line per outage.
            if (failures++ == 0) {
                log.warn("live board cannot read incident changes ({}); retrying every {}", e.toString(), reconcile);
            }
        }
    }

    /** In timeline order: per incident, {@code incident.opened} for its opening and one {@code incident.updated} for the rest. */
    private void publish(List<TimelineFeed.Entry> entries) throws SQLException, JsonProcessingException {
        Set<Map.Entry<Long, String>> order = new LinkedHashSet<>();
        Set<Long> ids = new HashSet<>();
        for (TimelineFeed.Entry e : entries) {
            order.add(Map.entry(e.incidentId(), "opened".equals(e.action()) ? OPENED : UPDATED));
            ids.add(e.incidentId());
        }
        Map<Long, BoardQuery.Published> rows = new HashMap<>();
        for (BoardQuery.Published p : board.byIds(new ArrayList<>(ids))) {
            rows.put(p.row().id(), p);
        }
        for (Map.Entry<Long, String> e : order) {
            BoardQuery.Published p = rows.get(e.getKey());
            if (p != null) {
                events.publish(e.getValue(), json.writeValueAsString(p.row()), p.audience());
            }
        }
    }

    @Override
    public void close() {
        listener.close();
        task.close();
    }
}
