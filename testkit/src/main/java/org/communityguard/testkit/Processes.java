package org.communityguard.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Running commands, signalling processes and finding ports for the local servers. */
final class Processes {

    static final String LOOPBACK = "127.0.0.1";

    private Processes() {
    }

    /** True when this JVM runs as uid 0 (PostgreSQL then has to be started as another user). */
    static boolean runningAsRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /**
     * Prefixes {@code command} so it runs as {@code user} when this JVM is root. setpriv execs the
     * command (no wrapper process stays in between), so the started process's pid is the server's.
     */
    static List<String> asUser(String user, List<String> command) {
        if (!runningAsRoot()) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of(
                "setpriv", "--reuid=" + user, "--regid=" + user, "--init-groups", "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Runs a short command to completion; fails with its output when it exits non-zero. */
    static String run(Path workDir, long timeoutSeconds, List<String> command) {
        try {
            Path output = Files.createTempFile("testkit-cmd", ".log");
            try {
                Process process = new ProcessBuilder(command)
                        .directory(workDir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile())
                        .start();
                if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException("testkit: timed out after " + timeoutSeconds + " s: "
                            + String.join(" ", command) + "\n" + Files.readString(output, StandardCharsets.UTF_8));
                }
                String text = Files.readString(output, StandardCharsets.UTF_8);
                if (process.exitValue() != 0) {
                    throw new IllegalStateException("testkit: command failed (exit " + process.exitValue() + "): "
                            + String.join(" ", command) + "\n" + text);
                }
                return text;
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("testkit: could not run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("testkit: interrupted while running " + command.get(0), e);
        }
    }

    /**
     * Sends a signal (STOP, CONT, INT, ...) to processes. Java can only send TERM and KILL itself,
     * so this goes through the shell's kill builtin, which exists wherever /bin/sh does.
     */
    static void signal(String signal, Collection<Long> pids) {
        if (pids.isEmpty()) {
            return;
        }
        String pidList = pids.stream().map(String::valueOf).collect(Collectors.joining(" "));
        // A process that exited meanwhile makes kill complain; that is fine, hence "|| true".
        run(Path.of("/"), 10, List.of("/bin/sh", "-c", "kill -s " + signal + " " + pidList + " 2>/dev/null || true"));
    }

    /** The process and every process below it, parent first. */
    static List<Long> processTree(long pid) {
        List<Long> tree = new ArrayList<>();
        ProcessHandle.of(pid).ifPresent(root -> {
            tree.add(root.pid());
            root.descendants().forEach(child -> tree.add(child.pid()));
        });
        return tree;
    }

    /**
     * A port that was free a moment ago. Another process could take it before the server binds it;
     * the local servers detect that ("address already in use") and try another port.
     */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("testkit: no free TCP port on " + LOOPBACK, e);
        }
    }

    /** The last lines of a log file, for error messages. */
    static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("testkit: interrupted while waiting for a server", e);
        }
    }
}
