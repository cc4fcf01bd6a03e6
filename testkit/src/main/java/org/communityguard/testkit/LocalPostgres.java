package org.communityguard.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway PostgreSQL: initdb into a scratch directory, one postmaster on a free loopback port,
 * everything removed at JVM exit. Runs as the "postgres" OS user when the JVM is root, because
 * PostgreSQL refuses to run as root.
 */
final class LocalPostgres implements PostgresBackend {

    private static final String OS_USER = "postgres";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final int START_ATTEMPTS = 3;

    private final Path dir;
    private final Process postmaster;
    private final int port;
    private final ServerFacts facts;
    private boolean paused;

    private LocalPostgres(Path dir, Process postmaster, int port, ServerFacts facts) {
        this.dir = dir;
        this.postmaster = postmaster;
        this.port = port;
        this.facts = facts;
    }

    static LocalPostgres start(PostgresInstall install) {
        Path dir = ScratchDirs.create("postgres");
        try {
            Path data = dir.resolve("data");
            if (Processes.runningAsRoot()) {
                ScratchDirs.chown(dir, OS_USER);
            }
            Processes.run(dir, 120, Processes.asUser(OS_USER, List.of(
                    install.binary("initdb").toString(), "--pgdata=" + data, "--username=" + USER,
                    "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync")));
            writeConfig(data, dir, install.timescaleInstalled());
            return startPostmaster(install, dir, data);
        } catch (RuntimeException e) {
            ScratchDirs.deleteRecursively(dir);
            throw e;
        }
    }

    /**
     * Appends the test settings to postgresql.conf. Loopback-only with trust auth (initdb's
     * --auth=trust); the unix socket goes into the scratch dir so /var/run/postgresql is not needed.
     */
    private static void writeConfig(Path data, Path socketDir, boolean timescale) {
        String config = """

                # --- CommunityGuard testkit ---
                listen_addresses = '127.0.0.1'
                unix_socket_directories = '%s'
                max_connections = 200
                # UTC like the Docker image, so results do not depend on the machine's zone.
                timezone = 'UTC'
                log_timezone = 'UTC'
                # Tests prove the application's durability (what it commits, retries and
                # deduplicates), not PostgreSQL's: skipping disk flushes makes a test server
                # several times faster, and the server is thrown away anyway.
                fsync = off
                synchronous_commit = off
                full_page_writes = off
                """.formatted(socketDir);
        if (timescale) {
            config += """
                    shared_preload_libraries = 'timescaledb'
                    timescaledb.telemetry_level = off
                    """;
        }
        try {
            Files.writeString(data.resolve("postgresql.conf"), config, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("testkit: cannot write " + data.resolve("postgresql.conf"), e);
        }
    }

    private static LocalPostgres startPostmaster(PostgresInstall install, Path dir, Path data) {
        Path log = dir.resolve("postgres.log");
        String lastFailure = "";
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int port = Processes.freePort();
            Process postmaster = launch(install, dir, data, log, port);
            String failure = Readiness.await(START_TIMEOUT,
                    () -> Readiness.acceptsJdbc(Processes.LOOPBACK, port),
                    () -> postmaster.isAlive() ? null : "postgres exited with code " + postmaster.exitValue());
            if (failure == null) {
                try {
                    ServerFacts facts = ServerFacts.read(Processes.LOOPBACK, port, install.timescaleInstalled());
                    return new LocalPostgres(dir, postmaster, port, facts);
                } catch (RuntimeException e) {
                    stopProcess(postmaster);
                    throw e;
                }
            }
            stopProcess(postmaster);
            lastFailure = failure + "; last lines of " + log + ":\n" + Processes.tail(log, 30);
            boolean portTaken = Processes.tail(log, 30).contains("could not bind");
            if (!portTaken) {
                break;
            }
        }
        throw new IllegalStateException("testkit: local PostgreSQL (" + install.binDir()
                + ") did not start: " + lastFailure);
    }

    private static Process launch(PostgresInstall install, Path dir, Path data, Path log, int port) {
        try {
            Process process = new ProcessBuilder(Processes.asUser(OS_USER, List.of(
                    install.binary("postgres").toString(), "-D", data.toString(), "-c", "port=" + port)))
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            ScratchDirs.writePid(dir, process.pid());
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("testkit: cannot start " + install.binary("postgres"), e);
        }
    }

    @Override
    public String host() {
        return Processes.LOOPBACK;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public Optional<String> timescaleVersion() {
        return facts.timescaleVersion();
    }

    @Override
    public synchronized void pause() {
        if (paused) {
            return;
        }
        // Postmaster first: once it is stopped it cannot fork new backends we would miss.
        Processes.signal("STOP", List.of(postmaster.pid()));
        Processes.signal("STOP", Processes.processTree(postmaster.pid()));
        paused = true;
    }

    @Override
    public synchronized void resume() {
        if (!paused) {
            return;
        }
        Processes.signal("CONT", Processes.processTree(postmaster.pid()));
        paused = false;
    }

    @Override
    public synchronized boolean paused() {
        return paused;
    }

    @Override
    public String describe() {
        return "local PostgreSQL " + facts.postgresVersion() + " with " + facts.describeTimescale()
                + " on " + host() + ":" + port + " (files in " + dir + ")";
    }

    @Override
    public synchronized void close() {
        resume();
        stopProcess(postmaster);
        ScratchDirs.deleteRecursively(dir);
    }

    /**
     * SIGINT is PostgreSQL's "fast" shutdown: it disconnects clients (a pool left open by a test
     * would block the default "smart" shutdown forever) and exits within a second.
     */
    private static void stopProcess(Process postmaster) {
        if (!postmaster.isAlive()) {
            return;
        }
        Processes.signal("INT", List.of(postmaster.pid()));
        try {
            if (!postmaster.waitFor(10, TimeUnit.SECONDS)) {
                postmaster.descendants().forEach(ProcessHandle::destroyForcibly);
                postmaster.destroyForcibly();
                postmaster.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
