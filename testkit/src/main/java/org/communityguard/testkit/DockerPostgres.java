package org.communityguard.testkit;

import java.time.Duration;
import java.util.Optional;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/** TimescaleDB in a Testcontainers-managed container, for machines with a Docker engine. */
final class DockerPostgres implements PostgresBackend {

    /** The full (Timescale-license) build, same TimescaleDB and PostgreSQL major as the local build on bookworm. */
    static final String IMAGE = "timescale/timescaledb:2.19.3-pg15";
    private static final int CONTAINER_PORT = 5432;

    private final GenericContainer<?> container;
    private final ServerFacts facts;
    private boolean paused;

    private DockerPostgres(GenericContainer<?> container, ServerFacts facts) {
        this.container = container;
        this.facts = facts;
    }

    @SuppressWarnings("resource") // closed by close(), at JVM exit
    static DockerPostgres create() {
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(IMAGE))
                .withEnv("POSTGRES_USER", USER)
                .withEnv("POSTGRES_PASSWORD", PASSWORD)
                // Same speed settings as the local server; see LocalPostgres.writeConfig for why.
                .withCommand("postgres", "-c", "fsync=off", "-c", "synchronous_commit=off",
                        "-c", "full_page_writes=off", "-c", "max_connections=200",
                        "-c", "timescaledb.telemetry_level=off")
                .withExposedPorts(CONTAINER_PORT)
                // The image's entrypoint starts the server twice (init scripts, then for real).
                .waitingFor(Wait.forLogMessage(".*database system is ready to accept connections.*\\s", 2)
                        .withStartupTimeout(Duration.ofMinutes(2)));
        container.start();
        ServerFacts facts = ServerFacts.read(container.getHost(), container.getMappedPort(CONTAINER_PORT), true);
        return new DockerPostgres(container, facts);
    }

    @Override
    public String host() {
        return container.getHost();
    }

    @Override
    public int port() {
        return container.getMappedPort(CONTAINER_PORT);
    }

    @Override
    public Optional<String> timescaleVersion() {
        return facts.timescaleVersion();
    }

    @Override
    public synchronized void pause() {
        if (!paused) {
            DockerClientFactory.instance().client().pauseContainerCmd(container.getContainerId()).exec();
            paused = true;
        }
    }

    @Override
    public synchronized void resume() {
        if (paused) {
            DockerClientFactory.instance().client().unpauseContainerCmd(container.getContainerId()).exec();
            paused = false;
        }
    }

    @Override
    public synchronized boolean paused() {
        return paused;
    }

    @Override
    public String describe() {
        return "Docker " + IMAGE + " (PostgreSQL " + facts.postgresVersion() + " with " + facts.describeTimescale()
                + ") on " + host() + ":" + port();
    }

    @Override
    public synchronized void close() {
        resume();
        container.stop();
    }
}
