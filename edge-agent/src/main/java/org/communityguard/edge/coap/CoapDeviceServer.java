package org.communityguard.edge.coap;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.communityguard.edge.device.DeviceCommands;
import org.communityguard.edge.device.DeviceIngest;
import org.communityguard.edge.device.Kind;
import org.communityguard.edge.identity.DeviceKeys;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedMultiPskStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's CoAP server for battery devices (device profile, "CoAP"):
 * <pre>
 *   POST /telemetry/{deviceId}   -> IngestResource(TELEMETRY) -> DeviceIngest   2.04 | 4.00 | 4.03 | 4.13 | 4.15 | 5.03
 *   POST /events/{deviceId}      -> IngestResource(EVENT)     -> DeviceIngest   2.04 | ...
 *   GET  /commands/{deviceId}    -> CommandsResource          -> DeviceCommands 2.05 | 4.03, observable
 *   anything else                -> 4.04 (Californium)
 * </pre>
 * on up to two endpoints that share the resources: DTLS 1.2 (Scandium, port 5684) with a
 * pre-shared key per device, whose PSK identity is the device id and which may speak only as
 * that device; and plain UDP (port 5683), served only when the site file lets some device in
 * without a key ({@code auth: none}). Who may speak as whom is decided by the ingest
 * (identity.DeviceAccess), from the {@link CoapSenders sender} each request carries.
 *
 * <p>Configured in code ({@link Configuration#createStandardWithoutFile()}): Californium would
 * otherwise write a {@code Californium3.properties} into the working directory. Thread counts are
 * small for a Raspberry Pi; request handling never blocks, so they need not be larger.
 */
public final class CoapDeviceServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CoapDeviceServer.class);
    /** DTLS sessions kept at once: a gateway serves hundreds of devices, not a city. */
    private static final int MAX_DTLS_SESSIONS = 5_000;
    /**
     * Connection ids (RFC 9146) for devices that ask: an NB-IoT device behind a carrier NAT whose
     * address changed while it slept keeps its session instead of a new handshake per report.
     */
    private static final int CONNECTION_ID_LENGTH = 6;

    private final DeviceCommands commands;
    private final CoapServer server;
    private final CoapEndpoint plain;
    private final CoapEndpoint dtls;
    private final CommandsResource commandsResource;
    private final List<InetSocketAddress> bindAddresses = new ArrayList<>();

    /**
     * Plain CoAP only, every device speaking for itself unchecked: for tests of the resources.
     *
     * @param bindAddress    where to listen, e.g. {@code new InetSocketAddress(5683)}; port 0 picks a free one
     * @param protocolThreads Californium's protocol-stage threads (2 is plenty on a Pi)
     */
    public CoapDeviceServer(InetSocketAddress bindAddress, DeviceIngest ingest, DeviceCommands commands, int protocolThreads) {
        this(bindAddress, null, DeviceKeys.empty(), ingest, commands, protocolThreads);
    }

    /**
     * @param plainAddress    where to serve plain CoAP, or null not to
     * @param dtlsAddress     where to serve DTLS, or null not to; needs at least one key
     * @param keys            the devices' pre-shared keys (PSK identity = device id)
     * @param protocolThreads Californium's protocol-stage threads (2 is plenty on a Pi)
     */
    public CoapDeviceServer(InetSocketAddress plainAddress, InetSocketAddress dtlsAddress, DeviceKeys keys, DeviceIngest ingest,
                            DeviceCommands commands, int protocolThreads) {
        if (protocolThreads < 1) {
            throw new IllegalArgumentException("protocolThreads must be positive: " + protocolThreads);
        }
        if (plainAddress == null && dtlsAddress == null) {
            throw new IllegalArgumentException("neither plain CoAP nor DTLS to serve");
        }
        if (dtlsAddress != null && keys.isEmpty()) {
            throw new IllegalArgumentException("DTLS needs at least one device key");
        }
        this.commands = commands;
        Configuration config = configuration(protocolThreads);
        this.server = new CoapServer(config);
        this.plain = plainAddress == null ? null : new CoapEndpoint.Builder()
                .setConfiguration(config)
                .setInetSocketAddress(plainAddress)
                .build();
        this.dtls = dtlsAddress == null ? null : new CoapEndpoint.Builder()
                .setConfiguration(config)
                .setConnector(dtlsConnector(config, dtlsAddress, keys))
                .build();
        for (CoapEndpoint endpoint : new CoapEndpoint[] {dtls, plain}) {
            if (endpoint != null) {
                server.addEndpoint(endpoint);
            }
        }
        if (plainAddress != null) {
            bindAddresses.add(plainAddress);
        }
        if (dtlsAddress != null) {
            bindAddresses.add(dtlsAddress);
        }
        this.commandsResource = new CommandsResource(commands, ingest);
        server.add(new IngestResource("telemetry", Kind.TELEMETRY, ingest),
                new IngestResource("events", Kind.EVENT, ingest),
                commandsResource);
    }

    private static DTLSConnector dtlsConnector(Configuration config, InetSocketAddress address, DeviceKeys keys) {
        AdvancedMultiPskStore store = new AdvancedMultiPskStore();
        for (String id : keys.deviceIds()) {
            store.setKey(id, keys.key(id).orElseThrow());
        }
        return new DTLSConnector(DtlsConnectorConfig.builder(config)
                .setAddress(address)
                .setAdvancedPskStore(store)
                .build());
    }

    /** The configuration of this server, without a properties file. */
    static Configuration configuration(int protocolThreads) {
        // Registering the modules is idempotent; it is how Californium learns their keys.
        CoapConfig.register();
        UdpConfig.register();
        DtlsConfig.register();
        Configuration config = Configuration.createStandardWithoutFile();
        config.set(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT, protocolThreads);
        config.set(UdpConfig.UDP_RECEIVER_THREAD_COUNT, 1);
        config.set(UdpConfig.UDP_SENDER_THREAD_COUNT, 1);
        config.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.SERVER_ONLY);
        config.set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, 1);
        config.set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, 1);
        config.set(DtlsConfig.DTLS_MAX_CONNECTIONS, MAX_DTLS_SESSIONS);
        config.set(DtlsConfig.DTLS_CONNECTION_ID_LENGTH, CONNECTION_ID_LENGTH);
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
            throw new IllegalStateException("cannot serve CoAP on " + bindAddresses
                    + " (is the port in use, or the address not on this host?): " + e.getMessage(), e);
        }
        commands.addListener(commandsResource);
        if (dtls != null) {
            LOG.info("CoAP device server listening for DTLS on {}", dtls.getAddress());
        }
        if (plain != null) {
            LOG.info("CoAP device server listening on {} (plain: for the devices of auth: none)", plain.getAddress());
        }
    }

    /** The bound UDP port of plain CoAP, -1 when not served; with port 0 the one picked at {@link #start()}. */
    public int port() {
        return plain == null ? -1 : plain.getAddress().getPort();
    }

    /** The bound UDP port of DTLS, -1 when not served. */
    public int dtlsPort() {
        return dtls == null ? -1 : dtls.getAddress().getPort();
    }

    @Override
    public void close() {
        commands.removeListener(commandsResource);
        server.stop();
        server.destroy();
    }
}
