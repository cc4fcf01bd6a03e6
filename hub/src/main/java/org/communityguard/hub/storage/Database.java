package org.communityguard.hub.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import javax.sql.DataSource;
import org.communityguard.hub.config.ConfigException;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's database: connection pool, schema migrations, and whether readings live in a
 * TimescaleDB hypertable or a plain table (the hub logs which at start).
 */
public final class Database implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Database.class);

    private final HikariDataSource dataSource;
    private final EmbeddedPostgres embedded;
    private final boolean timescale;

    private Database(HikariDataSource dataSource, EmbeddedPostgres embedded, boolean timescale) {
        this.dataSource = dataSource;
        this.embedded = embedded;
        this.timescale = timescale;
    }

    /**
     * How long the hub waits for the database before it gives up on a connection. A half-open
     * connection (the server gone without a reset) answers nothing, so every wait has a bound:
     * connecting, each read of a statement's answer (pgjdbc {@code socketTimeout}, a little past
     * the server's own {@code statement_timeout} so the server cancels first when it can), a
     * pooled connection's liveness check, and idle checks of pooled connections.
     */
    public record Timeouts(Duration connect, Duration statement, Duration validation, Duration keepalive,
                           Duration maxLifetime) {
        /** The client waits this much longer than the server's statement_timeout before it gives up. */
        static final Duration CLIENT_MARGIN = Duration.ofSeconds(5);
    }

    /**
     * Connects (starting the embedded PostgreSQL when {@code url} is empty), enables
     * TimescaleDB when the server offers it, and migrates the schema.
     */
    public static Database open(String url, String user, String password, String timescaleMode, int poolSize,
                                Timeouts timeouts, String embeddedDir) {
        EmbeddedPostgres embedded = null;
        if (url.isEmpty()) {
            embedded = EmbeddedPostgres.start(embeddedDir);
            url = embedded.jdbcUrl();
            user = "postgres";
            password = "";
        }
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        hc.setUsername(user);
        hc.setPassword(password);
        hc.setMaximumPoolSize(poolSize);
        hc.setPoolName("hub-db");
        hc.setConnectionTimeout(10_000);
        hc.setValidationTimeout(timeouts.validation().toMillis());
        hc.setKeepaliveTime(timeouts.keepalive().toMillis());
        hc.setMaxLifetime(Math.max(timeouts.maxLifetime().toMillis(), timeouts.keepalive().toMillis() + 1000));
        long statementMs = timeouts.statement().toMillis();
        hc.addDataSourceProperty("connectTimeout", seconds(timeouts.connect()));
        hc.addDataSourceProperty("loginTimeout", seconds(timeouts.connect()));
        hc.addDataSourceProperty("socketTimeout", seconds(timeouts.statement().plus(Timeouts.CLIENT_MARGIN)));
        hc.addDataSourceProperty("tcpKeepAlive", "true");
        // Server side: a runaway statement is cancelled, and a transaction whose client went
        // silent does not hold its locks (an ingest batch key, say) until TCP gives up, hours on.
        hc.addDataSourceProperty("options", "-c statement_timeout=" + statementMs
                + " -c idle_in_transaction_session_timeout=" + statementMs);
        // Fail now, with the URL in the message, rather than at the first reading.
        hc.setInitializationFailTimeout(15_000);
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            closeQuietly(embedded);
            throw new ConfigException("cannot connect to the database at " + url + " as " + user + ": "
                    + rootMessage(e) + " (check HUB_DB_URL, HUB_DB_USER, HUB_DB_PASSWORD)");
        }
        try {
            String why = "off".equals(timescaleMode) ? "TimescaleDB is switched off (HUB_DB_TIMESCALE=off)" : enableTimescale(ds);
            // Migrations get a connection of their own, without the pool's timeouts: adding an
            // index to a large readings table may rightly take longer than any API query.
            Flyway.configure().dataSource(url, user, password).locations("classpath:db/migration")
                    .placeholders(java.util.Map.of("hypertables", Boolean.toString(!"off".equals(timescaleMode))))
                    .load().migrate();
            boolean hypertable = readingsIsHypertable(ds);
            if (hypertable) {
                log.info("readings are stored in a TimescaleDB hypertable ({})", why);
            } else if ("required".equals(timescaleMode)) {
                throw new ConfigException("HUB_DB_TIMESCALE=required, but readings are not a hypertable: " + why);
            } else {
                log.warn("readings are stored in a plain PostgreSQL table: {}", why);
            }
            return new Database(ds, embedded, hypertable);
        } catch (ConfigException e) {
            ds.close();
            closeQuietly(embedded);
            throw e;
        } catch (RuntimeException | SQLException e) {
            ds.close();
            closeQuietly(embedded);
            throw new ConfigException("cannot prepare the database schema at " + url + ": " + rootMessage(e));
        }
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /**
     * A connection outside the pool, for a session that lasts as long as the hub ({@code LISTEN}),
     * with the pool's URL and credentials; {@code applicationName} names it in
     * {@code pg_stat_activity}. The caller closes it.
     */
    public Connection connectUnpooled(String applicationName) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", dataSource.getUsername());
        if (dataSource.getPassword() != null) {
            props.setProperty("password", dataSource.getPassword());
        }
        props.setProperty("ApplicationName", applicationName);
        // Connecting is bounded like the pool's; reads are not (it waits for notifications, and
        // whoever uses it has its own poll to fall back on).
        props.setProperty("connectTimeout", dataSource.getDataSourceProperties().getProperty("connectTimeout", "10"));
        props.setProperty("loginTimeout", dataSource.getDataSourceProperties().getProperty("loginTimeout", "10"));
        // A connection that only waits for notifications sends nothing; keep-alives find a dead peer.
        props.setProperty("tcpKeepAlive", "true");
        return DriverManager.getConnection(dataSource.getJdbcUrl(), props);
    }

    /** True when readings live in a TimescaleDB hypertable ({@code time_bucket} available). */
    public boolean timescale() {
        return timescale;
    }

    @Override
    public void close() {
        dataSource.close();
        closeQuietly(embedded);
    }

    /** Creates the extension when the server offers it; returns why readings will (not) be a hypertable. */
    private static String enableTimescale(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            String installed = scalar(st, "SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'");
            if (installed != null) {
                return "timescaledb " + installed;
            }
            String available = scalar(st, "SELECT default_version FROM pg_available_extensions WHERE name = 'timescaledb'");
            if (available == null) {
                return "the server has no timescaledb extension";
            }
            try {
                st.execute("CREATE EXTENSION IF NOT EXISTS timescaledb");
                return "timescaledb " + scalar(st, "SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'");
            } catch (SQLException e) {
                // Typically: not in shared_preload_libraries, or the hub's user may not create extensions.
                return "timescaledb " + available + " is installed but could not be enabled: " + e.getMessage();
            }
        }
    }

    /** True when readings is a hypertable. A table made before the extension was enabled stays plain. */
    private static boolean readingsIsHypertable(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            if (scalar(st, "SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'") == null) {
                return false;
            }
            return scalar(st, "SELECT hypertable_name FROM timescaledb_information.hypertables"
                    + " WHERE hypertable_name = 'readings'") != null;
        }
    }

    private static String scalar(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static String seconds(Duration d) {
        return Long.toString(Math.max(1, (d.toMillis() + 999) / 1000));
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    private static void closeQuietly(EmbeddedPostgres embedded) {
        if (embedded == null) {
            return;
        }
        try {
            embedded.close();
        } catch (Exception e) {
            log.warn("embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
        }
    }
}
