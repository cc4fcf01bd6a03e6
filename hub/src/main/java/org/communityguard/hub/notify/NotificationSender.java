package org.communityguard.hub.notify;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.communityguard.hub.storage.Tx;
import org.communityguard.hub.task.PollingTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends what {@link Outbox} queued, several at once, holding no lock and no transaction while a
 * receiver is waited for (docs/incident-loop.md#notifications):
 * <ol>
 *   <li>claim: one short transaction leases due rows ({@code claimed_until}, {@code FOR UPDATE SKIP
 *       LOCKED}, so several hubs share the work), as many as there are free senders;
 *   <li>send: on a bounded pool of sender threads, one attempt per row, outside any transaction;
 *       a slow receiver holds one sender, not the others; the lease is renewed while it lasts;
 *   <li>record: another short transaction writes the attempt and the row's next state, if the
 *       claim still holds the row.
 * </ol>
 * A hub that stops mid-send leaves its lease to run out, and any hub then claims the row again:
 * delivery is at least once, with the notification's id for receivers to drop duplicates. A
 * failure is retried with back-off within the retry budget of the incident's severity; a final
 * failure, or a spent budget, is handed to the escalation (the next role of the chain is told).
 * A notification that calls someone to respond stops being tried once the step it chases is met.
 */
public final class NotificationSender implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NotificationSender.class);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
    private static final String MID_SEND = "the sender stopped mid-send (its lease ran out)";

    /**
     * How hard to try. {@code budget} and {@code criticalBudget}: how long after it was queued a
     * notification is still tried (critical incidents' much longer); {@code lease}: how long a
     * claim holds a row without being renewed; {@code senders}: attempts at once.
     */
    public record Policy(Duration retryBase, Duration budget, Duration criticalBudget, Duration lease, int senders) {
        Duration budgetFor(String severity) {
            return "critical".equals(severity) ? criticalBudget : budget;
        }
    }

    /** Told, in the transaction that records the last attempt, of a notification the hub gives up on. */
    @FunctionalInterface
    public interface Escalation {
        void undelivered(Connection c, Undelivered u) throws SQLException;
    }

    /** A row this hub holds for one attempt: {@code attempts} made before it; the step it chases, or null. */
    private record Claim(Notification notification, long lease, int level, String chases, int attempts) {
    }

    /**
     * The loop step a notification of {@code o} calls someone to take: acknowledging, for a dispatch;
     * the overdue step, for an escalation (and for the escalation of one undeliverable); null for
     * the rest (residents' fire alerts, a reporter told of the resolution).
     */
    private static final String CHASED_STEP =
            "CASE WHEN o.event = 'dispatched' THEN 'acknowledge' ELSE o.payload #>> '{details,step}' END";

    /** A row of {@code o} no claim holds: never claimed since its last attempt, or its claim's lease has run out. */
    private static final String UNHELD = "(o.claimed_until IS NULL OR o.claimed_until <= now())";

    /** What one attempt came to; {@code cause} for a final failure, {@code retryAfter} for a transient one. */
    private record Outcome(String outcome, String error, Undelivered.Cause cause, Optional<Duration> retryAfter) {
        static Outcome sent() {
            return new Outcome("sent", null, null, Optional.empty());
        }

        static Outcome failed(Undelivered.Cause cause, String error) {
            return new Outcome("failed", error, cause, Optional.empty());
        }

        static Outcome retry(String error, Optional<Duration> retryAfter) {
            return new Outcome("retry", error, null, retryAfter);
        }
    }

    private final DataSource dataSource;
    private final Map<String, NotificationChannel> channels;
    private final Policy policy;
    private final Duration poll;
    private final Escalation escalation;
    private final Consumer<List<Long>> changed;
    private final MeterRegistry metrics;
    private final PollingTask task;
    private final ExecutorService senders;
    private final Semaphore free;
    /** Rows being sent, by lease: renewed while the attempt lasts. */
    private final Map<Long, Long> inFlight = new ConcurrentHashMap<>();
    private volatile long renewedAt = System.nanoTime();
    private volatile long sweptAt = System.nanoTime();

    /**
     * @param escalation told of each notification given up on
     * @param changed    told, after the commit, of incidents whose timeline that added to
     */
    public NotificationSender(DataSource dataSource, Map<String, NotificationChannel> channels, Policy policy,
                              Duration poll, Escalation escalation, Consumer<List<Long>> changed, MeterRegistry metrics) {
        this.dataSource = dataSource;
        this.channels = Map.copyOf(channels);
        this.policy = policy;
        this.escalation = escalation;
        this.changed = changed;
        this.metrics = metrics;
        this.poll = poll;
        this.task = new PollingTask("hub-notify", poll, this::sendDue);
        this.senders = Executors.newFixedThreadPool(policy.senders(), new DefaultThreadFactory("hub-notify-send", true));
        this.free = new Semaphore(policy.senders());
    }

    public void start() {
        task.start();
    }

    /** Something was queued: send now rather than at the next poll. */
    public void wake() {
        task.wake();
    }

    /** The hub-notify thread: renew, set aside what is moot, claim as many due rows as there are free senders. */
    private void sendDue() {
        try {
            renewLeases();
            setAsideMoot();
            while (!Thread.currentThread().isInterrupted()) {
                int n = free.availablePermits();
                if (n == 0) {
                    return; // a sender that finishes wakes this thread again
                }
                List<Claim> claimed = Tx.run(dataSource, c -> claim(c, n));
                for (Claim claim : claimed) {
                    start(claim);
                }
                if (claimed.size() < n) {
                    return;
                }
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("notification sender: {}", e.toString());
        }
    }

    private List<Claim> claim(Connection c, int limit) throws SQLException {
        List<Claim> out = new ArrayList<>();
        List<Claim> abandoned = new ArrayList<>();
        // A row still claimed whose lease has run out was left mid-send: that attempt counts, its outcome unknown.
        try (PreparedStatement ps = c.prepareStatement("WITH due AS (SELECT o.id, o.claimed_until IS NOT NULL AS abandoned"
                + " FROM notification_outbox o WHERE o.status = 'pending' AND o.next_attempt_at <= now() AND " + UNHELD
                + " ORDER BY o.next_attempt_at, o.id LIMIT ? FOR UPDATE SKIP LOCKED)"
                + " UPDATE notification_outbox o SET claimed_until = clock_timestamp() + ? * interval '1 millisecond',"
                + " lease = nextval('notification_lease'), attempts = o.attempts + CASE WHEN due.abandoned THEN 1 ELSE 0 END"
                + " FROM due WHERE o.id = due.id RETURNING o.id, o.incident_id, o.event, o.channel, o.recipient, o.subject,"
                + " o.body, o.payload::text, o.lease, o.level, " + CHASED_STEP + ", o.attempts, due.abandoned")) {
            ps.setInt(1, limit);
            ps.setLong(2, policy.lease().toMillis());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long incident = rs.getLong(2);
                    Notification n = new Notification(rs.getLong(1), rs.wasNull() ? null : incident, rs.getString(3),
                            rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8));
                    Claim claim = new Claim(n, rs.getLong(9), rs.getInt(10), rs.getString(11), rs.getInt(12));
                    out.add(claim);
                    if (rs.getBoolean(13)) {
                        abandoned.add(claim);
                    }
                }
            }
        }
        for (Claim a : abandoned) {
            log.warn("notification {} ({} to {}): {}; sending it again", a.notification().id(), a.notification().channel(),
                    a.notification().recipient(), MID_SEND);
            insertAttempt(c, a.notification(), "retry", MID_SEND);
        }
        return out;
    }

    private void start(Claim claim) {
        free.acquireUninterruptibly(); // never waits: only this thread takes permits, and it counted them
        inFlight.put(claim.lease(), claim.notification().id());
        try {
            senders.execute(() -> attempt(claim));
        } catch (RejectedExecutionException e) {
            // Closing: the lease runs out and another hub (or this one, restarted) sends it.
            inFlight.remove(claim.lease());
            free.release();
        }
    }

    /** A sender thread: one attempt, then its record. */
    private void attempt(Claim claim) {
        Notification n = claim.notification();
        try {
            Outcome outcome = deliver(n);
            if (outcome == null || Thread.currentThread().isInterrupted()) {
                return; // the hub is stopping: the attempt's outcome is unknown, the lease runs out
            }
            Recorded recorded = Tx.run(dataSource, c -> record(c, claim, outcome));
            metrics.counter("hub.notifications", "channel", n.channel(), "outcome", recorded.outcome()).increment();
            if (recorded.undelivered().isPresent()) {
                Undelivered u = recorded.undelivered().get();
                metrics.counter("hub.notifications.undeliverable", "channel", n.channel(), "event", n.event(),
                        "cause", u.cause().wireName()).increment();
                log.warn("notification {} ({} to {}, {} of incident {}) is undeliverable ({} after {} attempt(s): {});"
                        + " escalated to the next role", n.id(), n.channel(), n.recipient(), n.event(), n.incidentId(),
                        u.cause().wireName(), u.attempts(), u.reason());
                if (n.incidentId() != null) {
                    changed.accept(List.of(n.incidentId()));
                }
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("notification {} ({} to {}): attempt not recorded ({}); it is tried again when its lease runs out",
                    n.id(), n.channel(), n.recipient(), e.toString());
        } finally {
            inFlight.remove(claim.lease());
            free.release();
            task.wake();
        }
    }

    /** One attempt; null when interrupted. */
    private Outcome deliver(Notification n) {
        NotificationChannel channel = channels.get(n.channel());
        try {
            if (channel == null) {
                throw new NotificationChannel.Undeliverable(Undelivered.Cause.CONFIGURATION,
                        "channel " + n.channel() + " is not configured on this hub");
            }
            channel.send(n);
            return Outcome.sent();
        } catch (NotificationChannel.Undeliverable e) {
            return Outcome.failed(e.cause(), e.getMessage());
        } catch (NotificationChannel.RetryLater e) {
            return Outcome.retry(e.getMessage(), e.retryAfter());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception e) {
            return Outcome.retry(e.getMessage() == null ? e.toString() : e.getMessage(), Optional.empty());
        }
    }

    /** An attempt as recorded ({@code sent}, {@code retry}, {@code failed}), and the notification given up on, if so. */
    private record Recorded(String outcome, Optional<Undelivered> undelivered) {
    }

    /**
     * Records the attempt and, when the claim still holds the row, its next state: sent, failed,
     * or pending again after the back-off (or the receiver's Retry-After, at least the base),
     * never past the end of the retry budget, where it fails. A notification given up on is
     * escalated in the same transaction.
     */
    private Recorded record(Connection c, Claim claim, Outcome outcome) throws SQLException {
        Notification n = claim.notification();
        long budgetLeftMs;
        // The budget is reckoned by the database's clock, like every other deadline, and by the
        // severity now: a fire confirmed meanwhile is tried as long as a critical incident.
        try (PreparedStatement ps = c.prepareStatement("SELECT i.severity, (extract(epoch FROM o.created_at"
                + " - clock_timestamp()) * 1000)::bigint FROM notification_outbox o LEFT JOIN incidents i ON i.id = o.incident_id"
                + " WHERE o.id = ? AND o.lease = ? AND o.status = 'pending' FOR UPDATE OF o")) {
            ps.setLong(1, n.id());
            ps.setLong(2, claim.lease());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    // It happened all the same: in the log of attempts, not in the row.
                    insertAttempt(c, n, outcome.outcome(), outcome.error());
                    log.warn("notification {} ({} to {}): attempt ({}) finished after its lease had run out;"
                            + " its row is left to the newer claim", n.id(), n.channel(), n.recipient(), outcome.outcome());
                    return new Recorded(outcome.outcome(), Optional.empty());
                }
                budgetLeftMs = policy.budgetFor(rs.getString(1)).toMillis() + rs.getLong(2);
            }
        }
        int attempts = claim.attempts() + 1;
        String status = outcome.outcome();
        Undelivered.Cause cause = outcome.cause();
        long waitMs = 0;
        if ("retry".equals(status)) {
            if (budgetLeftMs <= 0) {
                status = "failed";
                cause = Undelivered.Cause.BUDGET;
            } else {
                Duration wait = outcome.retryAfter().map(d -> d.compareTo(policy.retryBase()) < 0 ? policy.retryBase() : d)
                        .orElse(backoff(policy.retryBase(), attempts));
                status = "pending";
                waitMs = Math.min(wait.toMillis(), budgetLeftMs);
            }
        }
        String recorded = "pending".equals(status) ? "retry" : status;
        insertAttempt(c, n, recorded, outcome.error());
        try (PreparedStatement ps = c.prepareStatement("UPDATE notification_outbox SET status = ?, attempts = ?,"
                + " claimed_until = NULL, next_attempt_at = clock_timestamp() + ? * interval '1 millisecond' WHERE id = ?")) {
            ps.setString(1, status);
            ps.setInt(2, attempts);
            ps.setLong(3, waitMs);
            ps.setLong(4, n.id());
            ps.executeUpdate();
        }
        if ("pending".equals(status)) {
            log.warn("notification {} ({} to {}) attempt {} failed, next in {} ms: {}", n.id(), n.channel(), n.recipient(),
                    attempts, waitMs, outcome.error());
        }
        if (cause == null) {
            return new Recorded(recorded, Optional.empty());
        }
        Undelivered u = new Undelivered(n, claim.level(), claim.chases(), cause, outcome.error(), attempts);
        escalation.undelivered(c, u);
        return new Recorded(recorded, Optional.of(u));
    }

    private static void insertAttempt(Connection c, Notification n, String outcome, String error) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO notification_attempts"
                + " (outbox_id, incident_id, channel, recipient, outcome, error) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, n.id());
            if (n.incidentId() == null) {
                ps.setNull(2, java.sql.Types.BIGINT);
            } else {
                ps.setLong(2, n.incidentId());
            }
            ps.setString(3, n.channel());
            ps.setString(4, n.recipient());
            ps.setString(5, outcome);
            ps.setString(6, error == null ? null : error.length() > 500 ? error.substring(0, 500) : error);
            ps.executeUpdate();
        }
    }

    /** Keeps this hub's claims while their attempts last, a third of a lease at a time. */
    private void renewLeases() throws SQLException {
        if (inFlight.isEmpty() || System.nanoTime() - renewedAt < policy.lease().toNanos() / 3) {
            return;
        }
        renewedAt = System.nanoTime();
        Map<Long, Long> held = Map.copyOf(inFlight);
        Tx.run(dataSource, c -> {
            // By id (the primary key), and only where this hub's claim still holds the row.
            try (PreparedStatement ps = c.prepareStatement("UPDATE notification_outbox"
                    + " SET claimed_until = clock_timestamp() + ? * interval '1 millisecond'"
                    + " WHERE id = ANY (?) AND lease = ANY (?) AND status = 'pending'")) {
                ps.setLong(1, policy.lease().toMillis());
                ps.setArray(2, c.createArrayOf("bigint", held.values().toArray()));
                ps.setArray(3, c.createArrayOf("bigint", held.keySet().toArray()));
                return ps.executeUpdate();
            }
        });
    }

    /**
     * A call to respond (a dispatch, an escalation, an undeliverable one's escalation) to a person
     * that has failed before stops being tried once the step it chases is met (acknowledged, for
     * a dispatch) or the incident is closed or cancelled: a human is on it. Webhooks are kept
     * trying: they feed other systems' records, which want every event.
     */
    private void setAsideMoot() throws SQLException {
        // Once a poll, not on every wake: a few attempts more or less make no difference here.
        if (System.nanoTime() - sweptAt < poll.toNanos()) {
            return;
        }
        sweptAt = System.nanoTime();
        List<String> moot = Tx.run(dataSource, c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("UPDATE notification_outbox SET status = 'moot', claimed_until = NULL"
                    + " WHERE id IN (SELECT o.id FROM notification_outbox o JOIN incidents i ON i.id = o.incident_id"
                    + " WHERE o.status = 'pending' AND o.attempts > 0 AND o.channel IN ('email', 'sms')"
                    + " AND o.event IN ('dispatched', 'escalated', ?) AND " + UNHELD
                    + " AND (NOT i.is_open OR EXISTS (SELECT 1 FROM incident_deadlines d WHERE d.incident_id = o.incident_id"
                    + " AND d.met_at IS NOT NULL"
                    + " AND d.step = " + CHASED_STEP + "))"
                    + " FOR UPDATE OF o SKIP LOCKED) RETURNING channel")) {
                ps.setString(1, Undelivered.EVENT);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
        for (String channel : moot) {
            metrics.counter("hub.notifications", "channel", channel, "outcome", "moot").increment();
        }
        if (!moot.isEmpty()) {
            log.info("{} notification(s) set aside as moot: the step they chased was met", moot.size());
        }
    }

    /** base, 2 base, 4 base, ... capped at five minutes: a fire's notification keeps being tried often. */
    static Duration backoff(Duration base, int attempts) {
        int doublings = Math.min(attempts - 1, 20);
        Duration d = base.multipliedBy(1L << doublings);
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }

    /** Stops claiming, then interrupts the attempts in flight: their leases run out, and they are sent again. */
    @Override
    public void close() {
        task.close();
        senders.shutdownNow();
        try {
            senders.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
