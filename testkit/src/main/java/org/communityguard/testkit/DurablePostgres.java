package org.communityguard.testkit;

import java.time.Duration;

/**
 * A PostgreSQL + TimescaleDB server of its own for one fault test, durable like production
 * ({@code fsync}, {@code synchronous_commit} and {@code full_page_writes} on; the shared
 * {@link TimescaleDb} has them off for speed), that the test may kill and restart:
 * <pre>
 * &#64;Test
 * void survivesTheDatabaseDying(DurablePostgres postgres) {
 *     Database db = postgres.createDatabase();
 *     ...                      // load running against db
 *     postgres.kill9();        // SIGKILL to postmaster and every backend: a power cut of the database
 *     postgres.restart();      // same data directory, same port: crash recovery, then it takes logins
 * }
 * </pre>
 * Get it as a test parameter through {@link RealServers}: a fresh server per test method (its
 * own initdb, free port, TimescaleDB preloaded when installed), stopped and deleted when the test
 * ends, whatever state the test left it in. Locally it is a process tree killed with SIGKILL;
 * with Docker a container killed with {@code docker kill -s KILL} and started again with
 * {@code docker start} on the same host port.
 */
public final class DurablePostgres implements AutoCloseable {

    private final PostgresBackend backend;
    /** Database creation and TimescaleDB facts are the same as on the shared server. */
    private final TimescaleDb server;

    DurablePostgres(PostgresBackend backend) {
        this.backend = backend;
        this.server = new TimescaleDb(backend);
    }

    /** A fresh, empty database with a unique name, as {@link TimescaleDb#createDatabase()}. */
    public Database createDatabase() {
        return server.createDatabase();
    }

    /** True when {@code CREATE EXTENSION timescaledb} works on this server. */
    public boolean timescaleAvailable() {
        return server.timescaleAvailable();
    }

    /**
     * Kills the whole server at once with SIGKILL (postmaster and every backend; {@code docker
     * kill -s KILL} with Docker): no shutdown checkpoint, open connections broken mid-statement,
     * committed transactions only in the WAL. Returns once every process is gone; harmless when
     * the server is already down.
     */
    public void kill9() {
        backend.kill9();
    }

    /**
     * Starts the server again after {@link #kill9()} on the same data directory and port, and
     * returns once it takes logins again, i.e. once crash recovery has replayed the WAL.
     * Harmless when it is running.
     */
    public void restart() {
        backend.restart();
    }

    /** False between {@link #kill9()} and {@link #restart()}. */
    public boolean running() {
        return backend.running();
    }

    /** Waits until a login succeeds; false when the timeout passes first. */
    public boolean awaitAccepting(Duration timeout) {
        return Readiness.await(timeout, () -> Readiness.acceptsJdbc(host(), port()), () -> null) == null;
    }

    public String host() {
        return backend.host();
    }

    public int port() {
        return backend.port();
    }

    /** Stops the server and deletes its files; {@link RealServers} calls it when the test ends. */
    @Override
    public void close() {
        backend.close();
    }

    @Override
    public String toString() {
        return backend.describe();
    }
}
