package org.communityguard.edge.coap;

import java.net.InetSocketAddress;
import org.communityguard.edge.device.DeviceCommands;
import org.communityguard.edge.device.DeviceIngest;
import org.communityguard.edge.device.Kind;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's CoAP server for battery devices (device profile, "CoAP"):
 * <pre>
 *   POST /telemetry/{deviceId}   -> IngestResource(TELEMETRY) -> DeviceIngest   2.04 | 4.00 | 4.13 | 4.15 | 5.03
 *   POST /events/{deviceId}      -> IngestResource(EVENT)     -> DeviceIngest   2.04 | ...
 *   GET  /commands/{deviceId}    -> CommandsResource          -> DeviceCommands 2.05, observable
 *   anything else                -> 4.04 (Californium)
 * </pre>
 * Configured in code ({@link Configuration#createStandardWithoutFile()}): Californium would
 * otherwise write a {@code Californium3.properties} into the working directory. Thread counts are
 * small for a Raspberry Pi; request handling never blocks, so they need not be larger.
 */
public final class CoapDeviceServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CoapDeviceServer.class);

    private final InetSocketAddress bindAddress;
    private final DeviceCommands commands;
    private final CoapServer server;
    private final CoapEndpoint endpoint;
    private final CommandsResource commandsResource;

    /**
     * @param bindAddress    where to listen, e.g. {@code new InetSocketAddress(5683)}; port 0 picks a free one
     * @param protocolThreads Californium's protocol-stage threads (2 is plenty on a Pi)
     */
    public CoapDeviceServer(InetSocketAddress bindAddress, DeviceIngest ingest, DeviceCommands commands, int protocolThreads) {
        if (protocolThreads < 1) {
            throw new IllegalArgumentException("protocolThreads must be positive: " + protocolThreads);
        }
        this.bindAddress = bindAddress;
        this.commands = commands;
        Configuration config = configuration(protocolThreads);
        this.endpoint = new CoapEndpoint.Builder()
                .setConfiguration(config)
                .setInetSocketAddress(bindAddress)
                .build();
        this.server = new CoapServer(config);
        server.addEndpoint(endpoint);
        this.commandsResource = new CommandsResource(commands, ingest);
        server.add(new IngestResource("telemetry", Kind.TELEMETRY, ingest),
                new IngestResource("events", Kind.EVENT, ingest),
                commandsResource);
    }

    /** The configuration of this server, without a properties file. */
    static Configuration configuration(int protocolThreads) {
        // Registering the modules is idempotent; it is how Californium learns their keys.
        CoapConfig.register();
        UdpConfig.register();
        Configuration config = Configuration.createStandardWithoutFile();
        config.set(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT, protocolThreads);
        config.set(UdpConfig.UDP_RECEIVER_THREAD_COUNT, 1);
        config.set(UdpConfig.UDP_SENDER_THREAD_COUNT, 1);
        // Bounded memory: Californium's default keeps every exchange for duplicate detection for its
        // whole lifetime (247 s), which at a few thousand requests a second is more than a
        // Raspberry Pi's heap. Per peer, the last few messages are enough to answer a
        // retransmission with the same response; a copy arriving later is caught by the ingest's
        // duplicate detection (device.DeviceMemory: same seq, device time and data).
        config.set(CoapConfig.DEDUPLICATOR, CoapConfig.DEDUPLICATOR_PEERS_MARK_AND_SWEEP);
        config.set(CoapConfig.PEERS_MARK_AND_SWEEP_MESSAGES, 16);
        return config;
    }

    public void start() {
        try {
            server.start();
        } catch (IllegalStateException e) {
            throw new IllegalStateException("cannot serve CoAP on " + bindAddress
                    + " (is the port in use, or the address not on this host?): " + e.getMessage(), e);
        }
        commands.addListener(commandsResource);
        LOG.info("CoAP device server listening on {}", endpoint.getAddress());
    }

    /** The bound UDP port; with port 0 the one picked at {@link #start()}. */
    public int port() {
        return endpoint.getAddress().getPort();
    }

    @Override
    public void close() {
        commands.removeListener(commandsResource);
        server.stop();
        server.destroy();
    }
}
