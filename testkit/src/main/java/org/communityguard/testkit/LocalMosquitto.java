package org.communityguard.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** A throwaway Mosquitto process on a free loopback port, with a config file in a scratch directory. */
final class LocalMosquitto implements BrokerBackend {

    /** Overrides the search for the mosquitto binary. */
    static final String BINARY_VARIABLE = "TESTKIT_MOSQUITTO";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final int START_ATTEMPTS = 3;

    private final Path binary;
    private final Path dir;
    private final Path config;
    private final Path log;
    private final int port;
    private Process process;

    private LocalMosquitto(Path binary, Path dir, int port) {
        this.binary = binary;
        this.dir = dir;
        this.config = dir.resolve("mosquitto.conf");
        this.log = dir.resolve("mosquitto.log");
        this.port = port;
    }

    static Optional<Path> findBinary() {
        String override = System.getenv(BINARY_VARIABLE);
        if (override != null && !override.isBlank()) {
            return Optional.of(Path.of(override)).filter(Files::isExecutable);
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : (path + File.pathSeparator + "/usr/sbin" + File.pathSeparator + "/usr/local/sbin").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "mosquitto");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    static LocalMosquitto start(Path binary) {
        Path dir = ScratchDirs.create("mosquitto");
        String lastFailure = "";
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            LocalMosquitto broker = new LocalMosquitto(binary, dir, Processes.freePort());
            broker.writeConfig();
            String failure = broker.launch();
            if (failure == null) {
                return broker;
            }
            lastFailure = failure;
            if (!failure.contains("Address already in use")) {
                break;
            }
        }
        ScratchDirs.deleteRecursively(dir);
        throw new IllegalStateException("testkit: local Mosquitto (" + binary + ") did not start: " + lastFailure);
    }

    /**
     * Anonymous, in-memory, loopback only. Queues and in-flight windows are made large so a test
     * that bursts thousands of QoS 1 messages measures our code, not the broker's default limits
     * (1000 queued messages per client, 20 in flight).
     */
    private void writeConfig() {
        String text = """
                # CommunityGuard testkit broker
                listener %d %s
                allow_anonymous true
                persistence false
                max_inflight_messages 0
                max_queued_messages 100000
                log_dest stdout
                log_type error
                log_type warning
                log_type notice
                """.formatted(port, Processes.LOOPBACK);
        if (Processes.runningAsRoot()) {
            // Started as root, mosquitto switches to the "mosquitto" user, which only exists
            // where the Debian package created it; staying root is harmless for a loopback test broker.
            text += "user root\n";
        }
        try {
            Files.writeString(config, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("testkit: cannot write " + config, e);
        }
    }

    /** Starts the process and waits until it accepts MQTT; returns null or why it failed. */
    private String launch() {
        try {
            process = new ProcessBuilder(binary.toString(), "-c", config.toString())
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("testkit: cannot start " + binary, e);
        }
        ScratchDirs.writePid(dir, process.pid());
        Process started = process;
        String failure = Readiness.await(START_TIMEOUT,
                () -> Readiness.acceptsMqtt(Processes.LOOPBACK, port),
                () -> started.isAlive() ? null : "mosquitto exited with code " + started.exitValue());
        if (failure == null) {
            return null;
        }
        kill();
        return failure + " on port " + port + "; last lines of " + log + ":\n" + Processes.tail(log, 20);
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
    public synchronized void stop() {
        kill();
        String failure = Readiness.await(Duration.ofSeconds(10), () -> Readiness.portClosed(Processes.LOOPBACK, port), () -> null);
        if (failure != null) {
            throw new IllegalStateException("testkit: Mosquitto stopped but port " + port + " still accepts connections");
        }
    }

    @Override
    public synchronized void start() {
        if (running()) {
            return;
        }
        String failure = launch();
        if (failure != null) {
            throw new IllegalStateException("testkit: Mosquitto did not restart on its port: " + failure);
        }
    }

    @Override
    public synchronized boolean running() {
        return process != null && process.isAlive();
    }

    @Override
    public String describe() {
        return "local Mosquitto (" + binary + ") on " + host() + ":" + port + " (files in " + dir + ")";
    }

    @Override
    public synchronized void close() {
        kill();
        ScratchDirs.deleteRecursively(dir);
    }

    private void kill() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
