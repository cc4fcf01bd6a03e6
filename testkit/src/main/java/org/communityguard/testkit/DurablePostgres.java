package org.communityguard.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

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
 *
 * <p>A test of an operator's procedure on the server's files (a base backup and a restore from
 * a WAL archive) may also {@link #configure} it, {@link #stop} it fast or immediately, run the
 * server's programs as its OS user and replace its {@link #dataDirectory()}; those need the
 * local processes (a container's files are not the test's).
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

    /** PostgreSQL's shutdown modes, as {@code pg_ctl stop -m}. */
    public enum Shutdown {
        /** {@code -m fast} (SIGINT): sessions ended, a shutdown checkpoint written. */
        FAST,
        /** {@code -m immediate} (SIGQUIT): every process quits at once, no checkpoint; the next start replays the WAL. */
        IMMEDIATE
    }

    /** Stops the server the way {@code pg_ctl stop -m <mode>} does; returns once it has exited. Harmless when it is down. */
    public void stop(Shutdown mode) {
        backend.stop(mode);
    }

    /**
     * Starts the server again after {@link #kill9()} or {@link #stop} on the same data directory
     * and port, and returns once it takes logins again: after a kill, once crash recovery has
     * replayed the WAL; after a restore into {@link #dataDirectory()}, once recovery reached a
     * consistent state (read-only until it ends). Harmless when it is running.
     */
    public void restart() {
        backend.restart();
    }

    /** False between {@link #kill9()} or {@link #stop} and {@link #restart()}. */
    public boolean running() {
        return backend.running();
    }

    /** Waits until a login succeeds; false when the timeout passes first. */
    public boolean awaitAccepting(Duration timeout) {
        return Readiness.await(timeout, () -> Readiness.acceptsJdbc(host(), port()), () -> null) == null;
    }

    /**
     * Appends lines to the server's postgresql.conf (settings of its own, such as WAL archiving);
     * they take effect at the next start: {@link #stop} and {@link #restart()}. Local servers only.
     */
    public void configure(String postgresqlConfLines) {
        local("configure").configure(postgresqlConfLines);
    }

    /**
     * The data directory {@link #restart()} starts the server on, owned by the server's OS user:
     * a test of a restore may move it aside and fill a new one while the server is stopped.
     * Local servers only.
     */
    public Path dataDirectory() {
        return local("dataDirectory").dataDirectory();
    }

    /** A new directory beside the data directory, owned by the server's OS user, deleted with the server. Local servers only. */
    public Path createDirectory(String name) {
        return local("createDirectory").createDirectory(name);
    }

    /** One of the server's programs ({@code pg_basebackup}, {@code pg_verifybackup}, ...), of the same installation. Local servers only. */
    public Path program(String name) {
        return local("program").program(name);
    }

    /**
     * Runs a command as the server's OS user ({@code postgres} when the JVM is root, as
     * {@code sudo -u postgres}) and returns its output; fails with the output when it exits
     * non-zero or takes over two minutes. Local servers only.
     */
    public String runAsServerUser(List<String> command) {
        return local("runAsServerUser").runAsServerUser(command);
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

    /**
     * The files of a server in a container are not the test's to touch (a backup's archive would
     * be inside the container): such tests need the local processes.
     */
    private LocalPostgres local(String what) {
        if (backend instanceof LocalPostgres local) {
            return local;
        }
        throw new UnsupportedOperationException("testkit: DurablePostgres." + what + " needs the server as a local"
                + " process (" + Servers.MODE_VARIABLE + "=local), not " + backend.describe());
    }

    @Override
    public String toString() {
        return backend.describe();
    }
}
