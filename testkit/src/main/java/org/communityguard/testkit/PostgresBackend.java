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

    /** One line for logs: what runs where. */
    String describe();

    /** Stops the server and removes its files; called once, at JVM exit. */
    void close();
}
