package org.communityguard.hub.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code LISTEN}s on one PostgreSQL notification channel, on a connection of its own (a pooled
 * connection would be handed to someone else between statements and lose the subscription), and
 * runs {@code onNotify} on its thread for every notification that arrives, and once after every
 * (re)connection: what was sent while it was not listening is lost, so whoever it wakes must
 * look for itself. A dropped session is opened again after half a second, then every {@code retry}
 * while that fails.
 *
 * <p>Notifications are a wake-up, never the data: the work they announce must be found in the
 * database, so a lost one only delays it until the next time someone looks.
 */
public final class DatabaseListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DatabaseListener.class);
    private static final Pattern CHANNEL = Pattern.compile("[a-z_][a-z0-9_]*");
    /** How long one wait for notifications blocks; also how soon {@link #close} is noticed. */
    private static final int WAIT_MS = 500;

    /** Opens a connection outside the pool. */
    @FunctionalInterface
    public interface Connector {
        Connection connect() throws SQLException;
    }

    private final String channel;
    private final Connector connector;
    private final Runnable onNotify;
    private final Duration retry;
    private final Thread thread;
    private volatile boolean closed;

    /** @param onNotify must not throw, and should hand real work to another thread */
    public DatabaseListener(String channel, Connector connector, Runnable onNotify, Duration retry) {
        if (!CHANNEL.matcher(channel).matches()) {
            throw new IllegalArgumentException("not a plain channel name: " + channel);
        }
        this.channel = channel;
        this.connector = connector;
        this.onNotify = onNotify;
        this.retry = retry;
        this.thread = new Thread(this::run, "db-listen-" + channel);
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void run() {
        long failures = 0;
        while (!closed) {
            boolean listening = false;
            try (Connection c = connector.connect(); Statement st = c.createStatement()) {
                st.execute("LISTEN " + channel);
                listening = true;
                if (failures > 0) {
                    log.info("listening on {} again after {} failed attempts", channel, failures);
                    failures = 0;
                }
                onNotify.run();
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    PGNotification[] got = pg.getNotifications(WAIT_MS);
                    if (got != null && got.length > 0) {
                        onNotify.run();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    return;
                }
                // The database restarted, or the network or a proxy dropped the session. One line per outage.
                if (failures++ == 0) {
                    log.warn("not listening on {} ({}); connecting again, every {} while that fails", channel,
                            e.toString(), retry);
                }
                // A session that worked was dropped (killed, a proxy's idle timeout): the database is
                // likely fine, so connect again soon; a failed connection waits the whole retry.
                long pause = listening ? Math.min(retry.toMillis(), WAIT_MS) : retry.toMillis();
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(2L * WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
