package org.communityguard.testkit;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * TimescaleDB in a Testcontainers-managed container, for machines with a Docker engine. The host
 * port is chosen by us and bound explicitly, so a {@link #restart()} (docker start) keeps it.
 */
final class DockerPostgres implements PostgresBackend {

    /** The full (Timescale-license) build, same TimescaleDB and PostgreSQL major as the local build on bookworm. */
    static final String IMAGE = "timescale/timescaledb:2.19.3-pg15";
    private static final int CONTAINER_PORT = 5432;
    private static final Duration RESTART_TIMEOUT = Duration.ofSeconds(60);

    private final GenericContainer<?> container;
    private final int hostPort;
    private final boolean durable;
    private final ServerFacts facts;
    private boolean paused;
    private boolean running = true;

    private DockerPostgres(GenericContainer<?> container, int hostPort, boolean durable, ServerFacts facts) {
        this.container = container;
        this.hostPort = hostPort;
        this.durable = durable;
        this.facts = facts;
    }

    /** @param durable fsync, synchronous_commit and full_page_writes on (the image's defaults), else off for speed */
    @SuppressWarnings("resource") // closed by close(), at JVM exit or at the end of the fault test
    static DockerPostgres create(boolean durable) {
        int hostPort = Processes.freePort();
        List<String> command = new ArrayList<>(List.of("postgres", "-c", "max_connections=200",
                "-c", "timescaledb.telemetry_level=off"));
        if (durable) {
            // As LocalPostgres: a quick crash recovery.
            command.addAll(List.of("-c", "recovery_init_sync_method=syncfs"));
        } else {
            // Same speed settings as the local server; see LocalPostgres.writeConfig for why.
            command.addAll(List.of("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"));
        }
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(IMAGE))
                .withEnv("POSTGRES_USER", USER)
                .withEnv("POSTGRES_PASSWORD", PASSWORD)
                .withCommand(command.toArray(String[]::new))
                .withExposedPorts(CONTAINER_PORT)
                .withCreateContainerCmdModifier(create -> create.getHostConfig().withPortBindings(
                        new PortBinding(Ports.Binding.bindPort(hostPort), ExposedPort.tcp(CONTAINER_PORT))))
                // The image's entrypoint starts the server twice (init scripts, then for real).
                .waitingFor(Wait.forLogMessage(".*database system is ready to accept connections.*\\s", 2)
                        .withStartupTimeout(Duration.ofMinutes(2)));
        container.start();
        ServerFacts facts = ServerFacts.read(container.getHost(), hostPort, true);
        return new DockerPostgres(container, hostPort, durable, facts);
    }

    @Override
    public String host() {
        return container.getHost();
    }

    @Override
    public int port() {
        return hostPort;
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

    /** docker kill -s KILL: the container's postgres (PID 1) and every backend with it. */
    @Override
    public synchronized void kill9() {
        if (running) {
            resume();
            DockerClientFactory.instance().client().killContainerCmd(container.getContainerId()).withSignal("KILL").exec();
            running = false;
        }
    }

    /**
     * The container's postgres is PID 1 (the image's entrypoint execs it), so a signal to the
     * container is a signal to the postmaster: SIGINT is a fast shutdown, SIGQUIT an immediate one.
     */
    @Override
    public synchronized void stop(DurablePostgres.Shutdown mode) {
        if (!running) {
            return;
        }
        resume();
        var docker = DockerClientFactory.instance().client();
        docker.killContainerCmd(container.getContainerId())
                .withSignal(mode == DurablePostgres.Shutdown.IMMEDIATE ? "QUIT" : "INT").exec();
        String failure = Readiness.await(RESTART_TIMEOUT,
                () -> !Boolean.TRUE.equals(docker.inspectContainerCmd(container.getContainerId()).exec().getState().getRunning()),
                () -> null);
        if (failure != null) {
            throw new IllegalStateException("testkit: PostgreSQL container on port " + hostPort + " still running after a "
                    + mode + " shutdown: " + failure);
        }
        running = false;
    }

    /**
     * docker start of the same container: its data directory is kept, so the entrypoint skips
     * initialisation and PostgreSQL runs crash recovery; returns once it takes logins.
     */
    @Override
    public synchronized void restart() {
        if (running) {
            return;
        }
        DockerClientFactory.instance().client().startContainerCmd(container.getContainerId()).exec();
        running = true;
        String failure = Readiness.await(RESTART_TIMEOUT, () -> Readiness.acceptsJdbc(host(), hostPort), () -> null);
        if (failure != null) {
            throw new IllegalStateException("testkit: PostgreSQL container on port " + hostPort + " " + failure
                    + "; its log:\n" + container.getLogs());
        }
    }

    @Override
    public synchronized boolean running() {
        return running;
    }

    @Override
    public String describe() {
        return "Docker " + IMAGE + " (PostgreSQL " + facts.postgresVersion() + " with " + facts.describeTimescale()
                + ") on " + host() + ":" + port() + ", fsync " + (durable ? "on" : "off");
    }

    @Override
    public synchronized void close() {
        resume();
        container.stop();
    }
}
