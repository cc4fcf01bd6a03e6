package org.communityguard.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway PostgreSQL: initdb into a scratch directory, one postmaster on a free loopback port,
 * everything removed at JVM exit. Runs as the "postgres" OS user when the JVM is root, because
 * PostgreSQL refuses to run as root.
 *
 * <p>Fast (the shared server: no disk flushes) or durable (fault tests: fsync on); either can be
 * killed with SIGKILL and restarted on the same data directory and port, which is PostgreSQL's
 * crash recovery.
 */
final class LocalPostgres implements PostgresBackend {

    private static final String OS_USER = "postgres";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final int START_ATTEMPTS = 3;
    /** For a test's commands: a base backup or an extraction of one takes seconds, a hang this long. */
    private static final long COMMAND_TIMEOUT_SECONDS = 120;

    private final PostgresInstall install;
    private final boolean durable;
    private final Path dir;
    private final int port;
    private final ServerFacts facts;
    private Process postmaster;
    private boolean paused;

    private LocalPostgres(PostgresInstall install, boolean durable, Path dir, Process postmaster, int port,
                          ServerFacts facts) {
        this.install = install;
        this.durable = durable;
        this.dir = dir;
        this.postmaster = postmaster;
        this.port = port;
        this.facts = facts;
    }

    /** @param durable fsync, synchronous_commit and full_page_writes on (else off, for speed) */
    static LocalPostgres start(PostgresInstall install, boolean durable) {
        Path dir = ScratchDirs.create(durable ? "pgdurable" : "postgres");
        try {
            Path data = dir.resolve("data");
            if (Processes.runningAsRoot()) {
                ScratchDirs.chown(dir, OS_USER);
            }
            // --no-sync even when durable: a fault test kills the server, not the machine, so the
            // files initdb wrote stay in the page cache; what a kill tests is that a commit waits
            // for its WAL flush (the settings in writeConfig). Saves seconds per server.
            Processes.run(dir, 120, Processes.asUser(OS_USER, List.of(
                    install.binary("initdb").toString(), "--pgdata=" + data, "--username=" + USER,
                    "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync")));
            writeConfig(data, dir, install, durable);
            return startPostmaster(install, durable, dir, data);
        } catch (RuntimeException e) {
            ScratchDirs.deleteRecursively(dir);
            throw e;
        }
    }

    /**
     * Appends the test settings to postgresql.conf. Loopback-only with trust auth (initdb's
     * --auth=trust); the unix socket goes into the scratch dir so /var/run/postgresql is not needed.
     */
    private static void writeConfig(Path data, Path socketDir, PostgresInstall install, boolean durable) {
        String config = """

                # --- CommunityGuard testkit ---
                listen_addresses = '127.0.0.1'
                unix_socket_directories = '%s'
                max_connections = 200
                # UTC like the Docker image, so results do not depend on the machine's zone.
                timezone = 'UTC'
                log_timezone = 'UTC'
                """.formatted(socketDir);
        config += durable ? """
                # A fault test kills this server and counts what survived: every commit on disk
                # before the client hears of it, as in production (these are the defaults).
                fsync = on
                synchronous_commit = on
                full_page_writes = on
                """ + (install.majorVersion() >= 14 ? """
                # Crash recovery first flushes the data directory: one syncfs() instead of an
                # fsync() per file takes a restart from seconds to under one.
                recovery_init_sync_method = syncfs
                """ : "") : """
                # Tests prove the application's durability (what it commits, retries and
                # deduplicates), not PostgreSQL's: skipping disk flushes makes a test server
                # several times faster, and the server is thrown away anyway.
                fsync = off
                synchronous_commit = off
                full_page_writes = off
                """;
        if (install.timescaleInstalled()) {
            config += """
                    shared_preload_libraries = 'timescaledb'
                    timescaledb.telemetry_level = off
                    """;
        }
        appendConfig(data, config);
    }

    private static void appendConfig(Path data, String lines) {
        try {
            Files.writeString(data.resolve("postgresql.conf"), lines, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("testkit: cannot write " + data.resolve("postgresql.conf"), e);
        }
    }

    private static LocalPostgres startPostmaster(PostgresInstall install, boolean durable, Path dir, Path data) {
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
                    return new LocalPostgres(install, durable, dir, postmaster, port, facts);
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

    /**
     * Every process of the server stopped first (postmaster first, so it forks nothing we would
     * miss), then all of them SIGKILLed in one go: no backend outlives the postmaster long enough
     * to finish a commit, as when the machine loses power under the database.
     */
    @Override
    public synchronized void kill9() {
        if (!postmaster.isAlive()) {
            return;
        }
        Processes.signal("STOP", List.of(postmaster.pid()));
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(postmaster.toHandle());
        postmaster.descendants().forEach(tree::add);
        Processes.signal("STOP", tree.stream().map(ProcessHandle::pid).toList());
        // SIGKILL straight from the JVM (destroyForcibly), no shell in between.
        tree.forEach(ProcessHandle::destroyForcibly);
        paused = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (tree.stream().anyMatch(ProcessHandle::isAlive)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("testkit: PostgreSQL processes still alive 10 s after SIGKILL: "
                        + tree.stream().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList());
            }
            Processes.sleep(10);
        }
        try {
            postmaster.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("testkit: interrupted while killing PostgreSQL", e);
        }
    }

    /**
     * PostgreSQL's own shutdown ({@code pg_ctl stop -m fast} or {@code -m immediate}: SIGINT or
     * SIGQUIT to the postmaster, which stops its children first); returns once it has exited.
     */
    @Override
    public synchronized void stop(DurablePostgres.Shutdown mode) {
        resume();
        if (!postmaster.isAlive()) {
            return;
        }
        Processes.signal(mode == DurablePostgres.Shutdown.IMMEDIATE ? "QUIT" : "INT", List.of(postmaster.pid()));
        try {
            if (!postmaster.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("testkit: PostgreSQL on port " + port + " still running "
                        + START_TIMEOUT.toSeconds() + " s after a " + mode + " shutdown; last lines of its log:\n"
                        + Processes.tail(dir.resolve("postgres.log"), 30));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("testkit: interrupted while stopping PostgreSQL", e);
        }
    }

    /** The data directory {@link #restart()} starts the server on (a test may replace its contents meanwhile). */
    Path dataDirectory() {
        return dir.resolve("data");
    }

    /** Appends lines to the data directory's postgresql.conf; read at the next start (or reload). */
    void configure(String lines) {
        appendConfig(dataDirectory(), "\n" + lines + (lines.endsWith("\n") ? "" : "\n"));
    }

    /** A new directory beside the data directory, owned by the server's OS user, deleted with the server. */
    Path createDirectory(String name) {
        try {
            Path created = Files.createDirectory(dir.resolve(name));
            if (Processes.runningAsRoot()) {
                ScratchDirs.chown(created, OS_USER);
            }
            return created;
        } catch (IOException e) {
            throw new UncheckedIOException("testkit: cannot create " + dir.resolve(name), e);
        }
    }

    /** One of the server's programs (pg_basebackup, pg_verifybackup, ...), from the same installation. */
    Path program(String name) {
        return install.binary(name);
    }

    /** Runs a command as the server's OS user, in the server's scratch directory; fails with its output. */
    String runAsServerUser(List<String> command) {
        return Processes.run(dir, COMMAND_TIMEOUT_SECONDS, Processes.asUser(OS_USER, command));
    }

    /**
     * Starts the postmaster again on the same data directory and port, and waits until it takes
     * logins: after {@link #kill9()} that is the end of crash recovery (WAL replayed); after a
     * restore into the data directory, the moment recovery reached a consistent state (hot
     * standby, read-only until recovery ends).
     */
    @Override
    public synchronized void restart() {
        if (postmaster.isAlive()) {
            return;
        }
        Path data = dir.resolve("data");
        Path log = dir.resolve("postgres.log");
        Process next = launch(install, dir, data, log, port);
        String failure = Readiness.await(START_TIMEOUT,
                () -> Readiness.acceptsJdbc(Processes.LOOPBACK, port),
                () -> next.isAlive() ? null : "postgres exited with code " + next.exitValue());
        postmaster = next;
        if (failure != null) {
            throw new IllegalStateException("testkit: PostgreSQL did not come back on port " + port + ": " + failure
                    + "; last lines of " + log + ":\n" + Processes.tail(log, 30));
        }
    }

    @Override
    public synchronized boolean running() {
        return postmaster.isAlive();
    }

    @Override
    public String describe() {
        return "local PostgreSQL " + facts.postgresVersion() + " with " + facts.describeTimescale()
                + " on " + host() + ":" + port + ", fsync " + (durable ? "on" : "off") + " (files in " + dir + ")";
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
