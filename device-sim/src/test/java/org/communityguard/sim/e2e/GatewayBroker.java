package org.communityguard.sim.e2e;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Mosquitto process of this test's own, run with the gateway configuration we ship
 * (deploy/mosquitto/gateway.conf), so a test can SIGKILL it like a power cut and start it again
 * on its persistence. Only what cannot work on a test machine is changed: the port (a free one,
 * loopback), the persistence directory (a temporary one), logging to a file, and the accounts:
 * the ones the agent wrote ({@link #startWithAccounts}), or anonymous devices ({@link #start}).
 * Persistence, autosave and queue settings are the shipped ones. (testkit's Mosquitto is shared
 * by other tests and runs without persistence.)
 */
final class GatewayBroker implements AutoCloseable {

    static final Path SHIPPED = Path.of("..", "deploy", "mosquitto", "gateway.conf");

    private final Path dir;
    private final Path config;
    private final int port;
    private final List<String> shipped;
    /** The directory of communityguard.acl and communityguard.passwd, or null for anonymous devices. */
    private final Path accounts;
    private Process process;

    private GatewayBroker(Path dir, int port, Path accounts) throws IOException {
        this.dir = dir;
        this.config = dir.resolve("gateway.conf");
        this.port = port;
        this.accounts = accounts;
        this.shipped = Files.readAllLines(SHIPPED, StandardCharsets.UTF_8);
        Files.createDirectories(dir.resolve("persistence"));
        Files.writeString(config, adapted(), StandardCharsets.UTF_8);
    }

    static GatewayBroker start(Path dir) throws IOException, InterruptedException {
        GatewayBroker broker = new GatewayBroker(dir, Ports.freeTcp(), null);
        broker.launch();
        return broker;
    }

    /**
     * With the accounts and access list of {@code edge-agent --mosquitto-accounts} in
     * {@code accounts}, anonymous clients refused, as shipped; and Mosquitto's debug log on,
     * where it writes each publish the access list denied ({@link #log}).
     */
    static GatewayBroker startWithAccounts(Path dir, Path accounts) throws IOException, InterruptedException {
        GatewayBroker broker = new GatewayBroker(dir, Ports.freeTcp(), accounts);
        broker.launch();
        return broker;
    }

    /** What Mosquitto logged so far. */
    String log() throws IOException {
        Path log = dir.resolve("mosquitto.log");
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    /** The shipped file with the test machine's port, access and directories. */
    private String adapted() {
        StringBuilder out = new StringBuilder("# deploy/mosquitto/gateway.conf, adapted by GatewayBroker\n");
        for (String line : shipped) {
            String key = line.trim().split("\\s+")[0];
            switch (key) {
                case "listener" -> out.append("listener ").append(port).append(" 127.0.0.1\n");
                case "allow_anonymous" -> out.append(accounts == null ? "allow_anonymous true\n" : line + "\n");
                case "password_file" -> out.append(accounts == null ? "# " + line
                        : "password_file " + accounts.resolve("communityguard.passwd")).append('\n');
                case "acl_file" -> out.append(accounts == null ? "# " + line
                        : "acl_file " + accounts.resolve("communityguard.acl")).append('\n');
                case "persistence_location" -> out.append("persistence_location ").append(dir.resolve("persistence"))
                        .append("/\n");
                case "log_dest" -> out.append("log_dest file ").append(dir.resolve("mosquitto.log")).append('\n');
                default -> out.append(line).append('\n');
            }
        }
        if (accounts != null) {
            out.append("log_type debug\n");
        }
        if ("root".equals(System.getProperty("user.name"))) {
            // As root Mosquitto would switch to a "mosquitto" user, which a test machine may lack.
            out.append("user root\n");
        }
        return out.toString();
    }

    /** A setting of the shipped file, e.g. {@code autosave_interval}. */
    int shippedInt(String key) {
        for (String line : shipped) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 2 && parts[0].equals(key)) {
                return Integer.parseInt(parts[1]);
            }
        }
        throw new IllegalStateException(SHIPPED + " has no " + key);
    }

    String url() {
        return "tcp://127.0.0.1:" + port;
    }

    /** Starts Mosquitto (again) on the same port and persistence, waiting until it accepts connections. */
    void launch() throws IOException, InterruptedException {
        process = ChildProcesses.start(new ProcessBuilder(binary(), "-c", config.toString()).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile())));
        try {
            awaitListening();
        } catch (InterruptedException | RuntimeException e) {
            ChildProcesses.destroy(process);
            throw e;
        }
    }

    private void awaitListening() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("mosquitto exited with " + process.exitValue() + "; see " + dir);
            }
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("mosquitto did not listen on " + port + " within 30 s; see " + dir);
    }

    /** SIGKILL: no final save, as in a power cut. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    private static String binary() {
        String override = System.getenv("TESTKIT_MOSQUITTO");
        List<String> candidates = new ArrayList<>();
        if (override != null && !override.isBlank()) {
            candidates.add(override);
        }
        for (String d : (System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin").split(File.pathSeparator)) {
            candidates.add(Path.of(d.isEmpty() ? "." : d, "mosquitto").toString());
        }
        return candidates.stream().filter(c -> Files.isExecutable(Path.of(c))).findFirst()
                .orElseThrow(() -> new IllegalStateException("no mosquitto binary (install mosquitto, or set TESTKIT_MOSQUITTO)"));
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
