package org.communityguard.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Directories of the local servers: {@code <tmp>/communityguard-testkit/<kind>-<jvm pid>-<random>}.
 * The JVM pid in the name lets a later run recognise, stop and remove what a killed JVM left.
 */
final class ScratchDirs {

    static final Path BASE = Path.of(System.getProperty("java.io.tmpdir"), "communityguard-testkit");

    /** Each server writes the pid of its process here, for the stale clean-up. */
    static final String SERVER_PID_FILE = "server.pid";

    private static boolean staleRemoved;

    private ScratchDirs() {
    }

    static synchronized Path create(String kind) {
        try {
            if (!Files.isDirectory(BASE)) {
                Files.createDirectories(BASE);
                // Sticky and world-writable like /tmp, so runs as root and as other users can share it.
                // NIO cannot set the sticky bit, chmod can.
                Processes.run(BASE, 10, List.of("chmod", "1777", BASE.toString()));
            }
            if (!staleRemoved) {
                staleRemoved = true;
                removeStale();
            }
            String name = kind + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
            return Files.createDirectory(BASE.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException("testkit: cannot create a scratch directory under " + BASE, e);
        }
    }

    /** Hands a directory tree to another OS user (the postgres user when we run as root). */
    static void chown(Path dir, String user) {
        try (Stream<Path> paths = Files.walk(dir)) {
            UserPrincipal owner = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user);
            for (Path path : (Iterable<Path>) paths::iterator) {
                Files.setOwner(path, owner);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("testkit: cannot give " + dir + " to OS user " + user
                    + " (does the user exist? it comes with the server package)", e);
        }
    }

    static void writePid(Path dir, long pid) {
        try {
            Files.writeString(dir.resolve(SERVER_PID_FILE), Long.toString(pid), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("testkit: cannot write " + dir.resolve(SERVER_PID_FILE), e);
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | UncheckedIOException e) {
            // Best effort at exit: a leftover directory is removed by the next run's stale clean-up.
            System.err.println("testkit: could not remove " + dir + ": " + e);
        }
    }

    /** Kills servers of JVMs that died without their shutdown hook (kill -9) and removes their dirs. */
    private static void removeStale() throws IOException {
        List<Path> dirs;
        try (Stream<Path> entries = Files.list(BASE)) {
            dirs = entries.filter(Files::isDirectory).toList();
        }
        for (Path dir : dirs) {
            Optional<Long> ownerPid = ownerPid(dir);
            if (ownerPid.isEmpty() || ProcessHandle.of(ownerPid.get()).map(ProcessHandle::isAlive).orElse(false)) {
                continue;
            }
            killServer(dir);
            deleteRecursively(dir);
        }
    }

    private static Optional<Long> ownerPid(Path dir) {
        String[] parts = dir.getFileName().toString().split("-");
        if (parts.length != 3) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(parts[1]));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void killServer(Path dir) {
        Path pidFile = dir.resolve(SERVER_PID_FILE);
        if (!Files.exists(pidFile)) {
            return;
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).trim());
            ProcessHandle.of(pid)
                    // The pid may have been reused since; only kill what is still one of our servers.
                    .filter(process -> process.info().command()
                            .map(command -> command.endsWith("postgres") || command.endsWith("mosquitto"))
                            .orElse(false))
                    .ifPresent(process -> {
                        process.descendants().forEach(ProcessHandle::destroyForcibly);
                        process.destroyForcibly();
                    });
        } catch (IOException | NumberFormatException e) {
            // An unreadable pid file means the server never fully started; removing the dir is enough.
        }
    }
}
