package org.communityguard.edge.broker;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process MQTT broker (Moquette) for the demo, used when no external Mosquitto is
 * configured. Production gateways run Mosquitto: this one keeps nothing across restarts.
 *
 * <p>Moquette's defaults do not suit an embedded broker, so each is overridden here:
 * <ul>
 * <li>{@code persistence_enabled} is on by default, with {@code data_path=data/} in the working
 *     directory: off, sessions and queues live in memory;</li>
 * <li>{@code telemetry_enabled} is on by default: it writes {@code .moquette_uuid} into the data
 *     path and sends usage data to a server on the internet: off;</li>
 * <li>{@code netty.epoll}: off (NIO); the native epoll jar is not on the class path.</li>
 * <li>{@code allow_anonymous}: off when it has {@link BrokerAccounts}: only the agent and the
 *     devices with a key get in, and each publishes and reads only what its account allows.</li>
 * </ul>
 *
 * <p>Port 0 means "any free port", but Moquette cannot be asked which port it then bound (it
 * records it on its event loop in an unsynchronized map, so polling it races). This class picks a
 * free port itself instead, and tries again with another should someone take it in between.
 */
public final class EmbeddedBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
    private static final int FREE_PORT_ATTEMPTS = 3;

    private final String host;
    private final int requestedPort;
    private final BrokerAccounts accounts;
    private volatile Server server;
    private volatile int boundPort;

    /**
     * A broker that lets anyone in and publish anywhere: for tests of other parts.
     *
     * @param host where to listen, e.g. {@code 127.0.0.1} (devices on the LAN need {@code 0.0.0.0})
     * @param port 1883 by convention; 0 for a free one
     */
    public EmbeddedBroker(String host, int port) {
        this(host, port, null);
    }

    /** @param accounts who may log in and publish or read what; null lets anyone do anything */
    public EmbeddedBroker(String host, int port, BrokerAccounts accounts) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0..65535: " + port);
        }
        this.host = host;
        this.requestedPort = port;
        this.accounts = accounts;
    }

    public synchronized void start() {
        if (server != null) {
            return;
        }
        quietMoquetteLogging();
        for (int attempt = 1; ; attempt++) {
            int port = requestedPort != 0 ? requestedPort : freePort();
            Server candidate = new Server();
            try {
                if (accounts == null) {
                    candidate.startServer(new MemoryConfig(properties(port)));
                } else {
                    candidate.startServer(new MemoryConfig(properties(port)), List.of(), null, accounts, accounts);
                }
                server = candidate;
                boundPort = port;
                LOG.info("embedded MQTT broker listening on {}", tcpUrl());
                return;
            } catch (IOException | RuntimeException e) {
                stopQuietly(candidate);
                if (requestedPort != 0 || attempt == FREE_PORT_ATTEMPTS) {
                    throw new IllegalStateException("cannot start the embedded MQTT broker on " + host + ":" + port
                            + " (port in use? then configure another, or an external broker): " + e.getMessage(), e);
                }
            }
        }
    }

    private Properties properties(int port) {
        Properties properties = new Properties();
        properties.setProperty("host", host);
        properties.setProperty("port", Integer.toString(port));
        properties.setProperty("allow_anonymous", Boolean.toString(accounts == null));
        properties.setProperty("persistence_enabled", "false");
        properties.setProperty("telemetry_enabled", "false");
        properties.setProperty("netty.epoll", "false");
        return properties;
    }

    private int freePort() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + host, e);
        }
    }

    /** The bound port; with port 0 the one picked at {@link #start()}. */
    public int port() {
        return server != null ? boundPort : requestedPort;
    }

    /** {@code tcp://host:port}, as MQTT clients take it; a wildcard host is given as 127.0.0.1. */
    public String tcpUrl() {
        String clientHost = "0.0.0.0".equals(host) || "::".equals(host) ? "127.0.0.1" : host;
        return "tcp://" + clientHost + ":" + port();
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stopServer();
            server = null;
        }
    }

    private static void stopQuietly(Server halfStarted) {
        try {
            halfStarted.stopServer();
        } catch (RuntimeException e) {
            LOG.debug("stopping a broker that failed to start", e);
        }
    }

    /**
     * Moquette logs every connection and its whole configuration at INFO. Turned down to WARN
     * unless the logging configuration already set a level for it.
     */
    private static void quietMoquetteLogging() {
        if (LoggerFactory.getLogger("io.moquette") instanceof ch.qos.logback.classic.Logger moquette && moquette.getLevel() == null) {
            moquette.setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }
}
