package org.communityguard.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one PostgreSQL + TimescaleDB server of this test JVM. Get it as a test parameter through
 * {@link RealServers}; isolate tests from each other with {@link #createDatabase()}.
 */
public final class TimescaleDb {

    private static final AtomicInteger DATABASE_COUNTER = new AtomicInteger();

    private final PostgresBackend backend;
    private String license;

    TimescaleDb(PostgresBackend backend) {
        this.backend = backend;
    }

    /**
     * A fresh, empty database with a unique name on the shared server. The TimescaleDB extension
     * is available to {@code CREATE EXTENSION} (when {@link #timescaleAvailable()}) but not created:
     * the code under test (its migrations) decides that.
     */
    public Database createDatabase() {
        String name = "cg_" + DATABASE_COUNTER.incrementAndGet() + "_" + randomSuffix();
        try (Connection admin = connectAdmin(); Statement statement = admin.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("testkit: could not create database " + name
                    + " on " + host() + ":" + port() + ": " + e.getMessage(), e);
        }
        return new Database(jdbcUrl(name), PostgresBackend.USER, PostgresBackend.PASSWORD, name);
    }

    /** True when {@code CREATE EXTENSION timescaledb} works on this server. */
    public boolean timescaleAvailable() {
        return backend.timescaleVersion().isPresent();
    }

    /**
     * The TimescaleDB license edition: {@code "apache"} for the Apache-2-only build (Debian's
     * package and the local source build: hypertables, time_bucket, drop_chunks, but no
     * compression, continuous aggregates or policies) or {@code "timescale"} for the full build
     * (the Docker image). Empty when TimescaleDB is not available.
     */
    public synchronized String timescaleLicense() {
        if (license == null) {
            license = timescaleAvailable() ? readLicense() : "";
        }
        return license;
    }

    /**
     * Stalls the whole server (SIGSTOP to the postmaster and its children, or docker pause):
     * connections stay open, statements and new logins hang, as with a hung database.
     * {@link RealServers} resumes it after each test in case the test does not.
     */
    public void pause() {
        backend.pause();
    }

    /** Undoes {@link #pause()}; harmless when the server is not paused. */
    public void resume() {
        backend.resume();
    }

    public String host() {
        return backend.host();
    }

    public int port() {
        return backend.port();
    }

    boolean paused() {
        return backend.paused();
    }

    /** The license setting only exists in a session that loaded the extension, hence a scratch database. */
    private String readLicense() {
        Database probe = createDatabase();
        try (Connection connection = probe.connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE EXTENSION timescaledb");
            try (ResultSet rows = statement.executeQuery("SHOW timescaledb.license")) {
                return rows.next() ? rows.getString(1) : "";
            }
        } catch (SQLException e) {
            throw new IllegalStateException("testkit: cannot read timescaledb.license on " + host() + ":" + port()
                    + ": " + e.getMessage(), e);
        }
    }

    private String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + database;
    }

    private Connection connectAdmin() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", PostgresBackend.USER);
        properties.setProperty("password", PostgresBackend.PASSWORD);
        return DriverManager.getConnection(jdbcUrl("postgres"), properties);
    }

    private static String randomSuffix() {
        StringBuilder suffix = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            suffix.append((char) ('a' + ThreadLocalRandom.current().nextInt(26)));
        }
        return suffix.toString();
    }

    @Override
    public String toString() {
        return backend.describe();
    }
}
