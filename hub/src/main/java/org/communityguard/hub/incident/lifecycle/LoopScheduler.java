package org.communityguard.hub.incident.lifecycle;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.communityguard.hub.dispatch.Dispatcher;
import org.communityguard.hub.escalation.Escalator;
import org.communityguard.hub.incident.IncidentListener;
import org.communityguard.hub.incident.IncidentStore;
import org.communityguard.hub.notify.NotificationSender;
import org.communityguard.hub.notify.ResidentAlerts;
import org.communityguard.hub.storage.Tx;
import org.communityguard.hub.task.PollingTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop's one background thread. Each tick, in its own transactions: dispatch every open
 * incident (new or reopened), escalate every due deadline, alert the residents of every newly
 * confirmed fire. Everything it acts on is a database row, so a tick after a restart (or on
 * another hub) finds what the last one left; {@link #opened} only makes the next tick come at
 * once instead of at the next poll.
 */
public final class LoopScheduler implements IncidentListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LoopScheduler.class);
    private static final int BATCH = 50;

    private final DataSource dataSource;
    private final Dispatcher dispatcher;
    private final Escalator escalator;
    private final ResidentAlerts alerts;
    private final NotificationSender sender;
    private final LoopListener listener;
    private final Counter runs;
    private final PollingTask task;

    public LoopScheduler(DataSource dataSource, Dispatcher dispatcher, Escalator escalator, ResidentAlerts alerts,
                         NotificationSender sender, Duration poll, LoopListener listener, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.dispatcher = dispatcher;
        this.escalator = escalator;
        this.alerts = alerts;
        this.sender = sender;
        this.listener = listener;
        // Also what a test waits for to know the loop has looked: a pass that began after a moment
        // has done everything that was due then (dispatch, escalate, alert).
        this.runs = Counter.builder("hub.loop.runs")
                .description("incident loop passes completed (dispatch, escalation, resident alerts)").register(registry);
        this.task = new PollingTask("hub-loop", poll, this::tick);
    }

    public void start() {
        task.start();
    }

    /** Called after the ingest transaction that opened incidents committed: dispatch them now. */
    @Override
    public void opened(List<IncidentStore.Opened> incidents) {
        wake();
    }

    /** Run a tick soon (an incident was reopened or reported). Many wakes before it runs are one tick. */
    public void wake() {
        task.wake();
    }

    private void tick() {
        boolean queued = false;
        try {
            int n;
            do {
                List<Long> dispatched = Tx.run(dataSource, c -> dispatcher.dispatchOpen(c, BATCH));
                dispatched.forEach(id -> log.info("incident {} dispatched", id));
                LoopListener.tell(listener, dispatched);
                n = dispatched.size();
                queued |= n > 0;
            } while (n == BATCH);
            do {
                List<Long> escalated = Tx.run(dataSource, c -> escalator.escalateDue(c, BATCH));
                LoopListener.tell(listener, escalated);
                n = escalated.size();
                if (n > 0) {
                    log.info("{} overdue step(s) escalated", n);
                }
                queued |= n > 0;
            } while (n == BATCH);
            do {
                n = Tx.run(dataSource, c -> alerts.alertConfirmedFires(c, BATCH));
                if (n > 0) {
                    log.info("residents alerted of {} confirmed fire(s)", n);
                }
                queued |= n > 0;
            } while (n == BATCH);
            runs.increment();
        } catch (SQLException | RuntimeException e) {
            // The rows are still there: the next tick retries.
            log.warn("incident loop tick failed: {}", e.toString());
        } finally {
            if (queued) {
                sender.wake();
            }
        }
    }

    @Override
    public void close() {
        task.close();
    }
}
