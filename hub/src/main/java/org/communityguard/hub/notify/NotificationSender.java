package org.communityguard.hub.notify;

import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.communityguard.hub.task.PollingTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends what {@link Outbox} queued, one notification per transaction: the row is locked
 * ({@code FOR UPDATE SKIP LOCKED}, so several hubs share the work and never send one row
 * twice at once), sent, and its attempt recorded in {@code notification_attempts}. A failure
 * is retried with exponential back-off up to the attempt limit; the schedule lives in the row,
 * so it survives a restart. One thread: sending is I/O-bound and rare.
 */
public final class NotificationSender implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NotificationSender.class);
    private static final Duration MAX_BACKOFF = Duration.ofHours(1);

    private final DataSource dataSource;
    private final Map<String, NotificationChannel> channels;
    private final int maxAttempts;
    private final Duration retryBase;
    private final MeterRegistry metrics;
    private final PollingTask task;

    public NotificationSender(DataSource dataSource, Map<String, NotificationChannel> channels, int maxAttempts,
                              Duration retryBase, Duration poll, MeterRegistry metrics) {
        this.dataSource = dataSource;
        this.channels = Map.copyOf(channels);
        this.maxAttempts = maxAttempts;
        this.retryBase = retryBase;
        this.metrics = metrics;
        this.task = new PollingTask("hub-notify", poll, this::sendDue);
    }

    public void start() {
        task.start();
    }

    /** Something was queued: send now rather than at the next poll. */
    public void wake() {
        task.wake();
    }

    private void sendDue() {
        try {
            while (!Thread.currentThread().isInterrupted() && sendOne()) {
                // keep going while rows are due
            }
        } catch (Exception e) {
            log.warn("notification sender: {}", e.toString());
        }
    }

    /** Sends one due notification; false when none is due. */
    boolean sendOne() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Notification n;
                int attempts;
                try (PreparedStatement ps = c.prepareStatement("SELECT id, incident_id, event, channel, recipient,"
                        + " subject, body, payload::text, attempts FROM notification_outbox"
                        + " WHERE status = 'pending' AND next_attempt_at <= now()"
                        + " ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED");
                     ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        c.rollback();
                        return false;
                    }
                    long incident = rs.getLong(2);
                    n = new Notification(rs.getLong(1), rs.wasNull() ? null : incident, rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8));
                    attempts = rs.getInt(9) + 1;
                }
                String outcome;
                String error = null;
                NotificationChannel channel = channels.get(n.channel());
                try {
                    if (channel == null) {
                        throw new NotificationChannel.Undeliverable(Undelivered.Cause.CONFIGURATION,
                                "channel " + n.channel() + " is not configured on this hub");
                    }
                    channel.send(n);
                    outcome = "sent";
                } catch (NotificationChannel.Undeliverable e) {
                    outcome = "failed";
                    error = e.getMessage();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    c.rollback();
                    return false;
                } catch (Exception e) {
                    outcome = attempts >= maxAttempts ? "failed" : "retry";
                    error = e.getMessage() == null ? e.toString() : e.getMessage();
                }
                record(c, n, attempts, outcome, error);
                c.commit();
                metrics.counter("hub.notifications", "channel", n.channel(), "outcome", outcome).increment();
                if (!"sent".equals(outcome)) {
                    log.warn("notification {} ({} to {}) attempt {}: {} ({})", n.id(), n.channel(), n.recipient(),
                            attempts, outcome, error);
                }
                return true;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private void record(Connection c, Notification n, int attempts, String outcome, String error) throws SQLException {
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
        try (PreparedStatement ps = c.prepareStatement("UPDATE notification_outbox SET status = ?, attempts = ?,"
                + " next_attempt_at = clock_timestamp() + ? * interval '1 millisecond' WHERE id = ?")) {
            ps.setString(1, "retry".equals(outcome) ? "pending" : outcome);
            ps.setInt(2, attempts);
            // The database's clock, like every other deadline: hubs on several machines agree on it.
            ps.setLong(3, backoff(retryBase, attempts).toMillis());
            ps.setLong(4, n.id());
            ps.executeUpdate();
        }
    }

    /** base, 2 base, 4 base, ... capped at an hour. */
    static Duration backoff(Duration base, int attempts) {
        int doublings = Math.min(attempts - 1, 20);
        Duration d = base.multipliedBy(1L << doublings);
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }

    @Override
    public void close() {
        task.close();
    }
}
