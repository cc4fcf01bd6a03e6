package org.communityguard.hub.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.ssl.SslContext;
import org.communityguard.hub.net.ConnectionLimit;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * The uplink pipeline, per connection:
 * <pre>
 *   [tls] -> mqtt-decoder -> [keep-alive] -> connect (until authenticated) | batch (after)
 *   mqtt-encoder (outbound)
 * </pre>
 * The transport is the one hook: with an {@link SslContext} the connection starts with Netty's
 * {@code SslHandler} (certificates, handshake and, when configured, client certificates are
 * checked there), and everything after it is the same for plain TCP and TLS.
 * The decoder enforces the maximum packet size (a larger packet becomes a failed message,
 * answered with reason 0x95, and the rest of the stream is discarded until close). The
 * keep-alive handler is added by {@link ConnectHandler} once CONNECT says the interval; until
 * then the CONNECT timeout (in {@link ConnectHandler}) bounds how long a connection may stay
 * without a session. Past the connection limit a new connection is closed before its pipeline
 * is built.
 */
public final class UplinkInitializer extends ChannelInitializer<SocketChannel> {

    /** What every connection's handlers share. */
    record Shared(BatchCodec codec, GatewayBinding binding, IngestPipeline pipeline, Violations violations,
                  GatewaySessions sessions, int receiveMaximum, int maxPacketBytes, Duration connectTimeout) {
    }

    /** Connection limits of the uplink, checked before any handler sees a byte. */
    public record Limits(Duration connectTimeout, int maxConnections) {
    }

    private final Shared shared;
    private final int maxConnections;
    private final ConnectionLimit connections;
    private final GatewayCredentials gateways;
    private final Executor authExecutor;
    private final SslContext tls;

    /** @param tls null for plain TCP */
    public UplinkInitializer(BatchCodec codec, GatewayBinding binding, IngestPipeline pipeline, GatewayCredentials gateways,
                             Executor authExecutor, int receiveMaximum, int maxPacketBytes, Limits limits, SslContext tls,
                             MeterRegistry registry) {
        this.shared = new Shared(codec, binding, pipeline, new Violations(registry), new GatewaySessions(registry),
                receiveMaximum, maxPacketBytes, limits.connectTimeout());
        this.maxConnections = limits.maxConnections();
        // Gateways share addresses behind NAT and mobile carriers: a total limit only.
        this.connections = new ConnectionLimit("uplink", limits.maxConnections(), 0, registry);
        this.gateways = gateways;
        this.authExecutor = authExecutor;
        this.tls = tls;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        if (connections.admit(ch) != ConnectionLimit.Verdict.ADMITTED) {
            shared.violations().tooManyConnections(ch, maxConnections);
            return;
        }
        ChannelPipeline p = ch.pipeline();
        if (tls != null) {
            p.addLast(UplinkHandlers.TLS, tls.newHandler(ch.alloc()));
        }
        p.addLast(UplinkHandlers.DECODER, new MqttDecoder(shared.maxPacketBytes(), 64));
        p.addLast(UplinkHandlers.ENCODER, MqttEncoder.INSTANCE);
        p.addLast(UplinkHandlers.CONNECT, new ConnectHandler(shared, gateways, authExecutor));
    }

    /** The gateways with a live uplink connection to this hub. */
    public Set<String> connectedGateways() {
        return shared.sessions().connected();
    }

    /** True while the gateway has a live uplink connection. */
    public boolean isConnected(String gatewayId) {
        return shared.sessions().isConnected(gatewayId);
    }
}
