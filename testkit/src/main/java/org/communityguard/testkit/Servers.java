package org.communityguard.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * The servers of this JVM: each started on first use, kept for every later test, stopped by a
 * shutdown hook. A start that failed is not retried; every later test gets the same message.
 */
final class Servers {

    /** auto (default): Docker when it works, else local processes; docker or local to force one. */
    static final String MODE_VARIABLE = "TESTKIT_SERVERS";

    private static final Logger LOG = LoggerFactory.getLogger(Servers.class);
    private static final String INSTALL_HINT = "run deploy/test.sh, which installs it";

    private static Boolean docker;
    private static TimescaleDb timescale;
    private static Mosquitto mosquitto;
    private static RuntimeException timescaleFailure;
    private static RuntimeException mosquittoFailure;

    private Servers() {
    }

    static synchronized TimescaleDb timescale() {
        if (timescale == null) {
            rethrow(timescaleFailure);
            try {
                PostgresBackend backend = startPostgres(false);
                closeAtExit("PostgreSQL", backend::close);
                timescale = new TimescaleDb(backend);
                LOG.info("testkit: {}", backend.describe());
            } catch (RuntimeException e) {
                timescaleFailure = e;
                throw e;
            }
        }
        return timescale;
    }

    static synchronized Mosquitto mosquitto() {
        if (mosquitto == null) {
            rethrow(mosquittoFailure);
            try {
                BrokerBackend backend = useDocker() ? DockerMosquitto.create() : startLocalMosquitto();
                closeAtExit("Mosquitto", backend::close);
                mosquitto = new Mosquitto(backend);
                LOG.info("testkit: {}", backend.describe());
            } catch (RuntimeException e) {
                mosquittoFailure = e;
                throw e;
            }
        }
        return mosquitto;
    }

    /**
     * A new durable server (fsync on) for one fault test, apart from the shared fast one: the
     * caller stops it ({@link DurablePostgres#close()}). Not cached, so a failed start is
     * reported to each test that asks.
     */
    static DurablePostgres durablePostgres() {
        PostgresBackend backend = startPostgres(true);
        LOG.info("testkit: durable server for a fault test: {}", backend.describe());
        return new DurablePostgres(backend);
    }

    /** True while a test's fault is in effect: the database paused or the broker stopped. */
    static synchronized boolean faultActive() {
        return (timescale != null && timescale.paused()) || (mosquitto != null && !mosquitto.running());
    }

    /** Undoes faults a test injected and did not undo, so they do not leak into later tests. */
    static synchronized void heal() {
        if (timescale != null && timescale.paused()) {
            LOG.info("testkit: resuming the PostgreSQL server a test left paused");
            timescale.resume();
        }
        if (mosquitto != null && !mosquitto.running()) {
            LOG.info("testkit: starting the Mosquitto broker a test left stopped");
            mosquitto.start();
        }
    }

    private static PostgresBackend startPostgres(boolean durable) {
        return useDocker() ? DockerPostgres.create(durable) : startLocalPostgres(durable);
    }

    private static PostgresBackend startLocalPostgres(boolean durable) {
        Optional<PostgresInstall> install = PostgresInstall.find();
        if (install.isEmpty()) {
            throw new IllegalStateException("testkit: no Docker and no local PostgreSQL: " + INSTALL_HINT
                    + " (searched pg_config --bindir and /usr/lib/postgresql/*/bin; set "
                    + PostgresInstall.BINDIR_VARIABLE + " for another place)");
        }
        if (!install.get().timescaleInstalled()) {
            LOG.warn("testkit: TimescaleDB is not installed for {} (no timescaledb.control under {}): {}",
                    install.get().binDir(), install.get().shareDir().resolve("extension"), INSTALL_HINT);
        }
        return LocalPostgres.start(install.get(), durable);
    }

    private static BrokerBackend startLocalMosquitto() {
        Path binary = LocalMosquitto.findBinary().orElseThrow(() -> new IllegalStateException(
                "testkit: no Docker and no local Mosquitto: " + INSTALL_HINT
                        + " (searched PATH and /usr/sbin; set " + LocalMosquitto.BINARY_VARIABLE + " for another place)"));
        return LocalMosquitto.start(binary);
    }

    private static synchronized boolean useDocker() {
        if (docker == null) {
            String mode = Optional.ofNullable(System.getenv(MODE_VARIABLE)).orElse("auto").trim().toLowerCase(Locale.ROOT);
            docker = switch (mode) {
                case "local" -> false;
                case "docker" -> {
                    if (!DockerClientFactory.instance().isDockerAvailable()) {
                        throw new IllegalStateException("testkit: " + MODE_VARIABLE + "=docker but Docker is not available");
                    }
                    yield true;
                }
                case "auto", "" -> dockerConfigured() && DockerClientFactory.instance().isDockerAvailable();
                default -> throw new IllegalStateException("testkit: " + MODE_VARIABLE + "=" + mode
                        + " is not one of auto, docker, local");
            };
            LOG.info("testkit: using {}", docker ? "Testcontainers (Docker works)" : "local server processes");
        }
        return docker;
    }

    /**
     * True when some Docker endpoint exists. Where none does, Testcontainers' probe would only
     * log a page of errors (to every test module's output) before saying no.
     */
    private static boolean dockerConfigured() {
        if (System.getenv("DOCKER_HOST") != null) {
            return true;
        }
        String home = System.getProperty("user.home");
        String runtimeDir = Optional.ofNullable(System.getenv("XDG_RUNTIME_DIR")).orElse("/nonexistent");
        return Stream.of("/var/run/docker.sock", runtimeDir + "/docker.sock", home + "/.testcontainers.properties",
                        home + "/.docker/run/docker.sock", home + "/.docker/desktop/docker.sock",
                        home + "/.colima/default/docker.sock", home + "/.rd/docker.sock")
                .anyMatch(path -> Files.exists(Path.of(path)));
    }

    private static void closeAtExit(String what, Runnable close) {
        Runtime.getRuntime().addShutdownHook(new Thread(close, "testkit-stop-" + what));
    }

    private static void rethrow(RuntimeException earlierFailure) {
        if (earlierFailure != null) {
            throw new IllegalStateException(earlierFailure.getMessage(), earlierFailure);
        }
    }
}
