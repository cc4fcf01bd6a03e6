package org.communityguard.testkit;

import java.util.Optional;

/** How a PostgreSQL server is run: a local process or a Docker container. */
interface PostgresBackend {

    /** Superuser of every test server; local servers trust 127.0.0.1, so the password is a formality there. */
    String USER = "postgres";
    String PASSWORD = "postgres";

    String host();

    int port();

    /** The TimescaleDB version {@code CREATE EXTENSION} would install, when it is installed and preloaded. */
    Optional<String> timescaleVersion();

    void pause();

    void resume();

    boolean paused();

    /** SIGKILL to the whole server at once (postmaster and every backend), like a power cut of the database. */
    void kill9();

    /** PostgreSQL's fast or immediate shutdown; returns once the server has exited. Harmless when it is down. */
    void stop(DurablePostgres.Shutdown mode);

    /** Starts a killed or stopped server again on the same data and port; returns once it takes logins. */
    void restart();

    /** False between {@link #kill9()} or {@link #stop} and {@link #restart()}. */
    boolean running();

    /** One line for logs: what runs where. */
    String describe();

    /** Stops the server and removes its files; called once, at JVM exit. */
    void close();
}
