package org.communityguard.hub.ingest;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttReasonCodes;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First handler of a gateway connection: expects CONNECT, checks the gateway's credentials
 * off the event loop (Argon2 is slow on purpose), answers CONNACK with the flow-control
 * limits, then hands the connection to a {@link BatchHandler}.
 */
final class ConnectHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ConnectHandler.class);
    private static final Pattern GATEWAY_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final UplinkInitializer.Shared shared;
    private final Executor authExecutor;
    private final GatewayCredentials gateways;
    /** Packets a gateway sent right behind its CONNECT, replayed once it is authenticated. */
    private final List<Object> early = new ArrayList<>();
    private boolean authenticating;
    private ScheduledFuture<?> connectDeadline;

    ConnectHandler(UplinkInitializer.Shared shared, GatewayCredentials gateways, Executor authExecutor) {
        this.shared = shared;
        this.gateways = gateways;
        this.authExecutor = authExecutor;
    }

    /** A connection has {@code uplink.connect-timeout} to send its CONNECT. */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        connectDeadline = ctx.executor().schedule(() -> {
            if (ctx.channel().isActive()) {
                shared.violations().connectTimeout(ctx.channel(), shared.connectTimeout());
            }
        }, shared.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        connectDeadline.cancel(false);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (authenticating) {
            early.add(msg);
            return;
        }
        try {
            handleFirst(ctx, (MqttMessage) msg);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void handleFirst(ChannelHandlerContext ctx, MqttMessage msg) {
        Channel ch = ctx.channel();
        if (msg.decoderResult().isFailure()) {
            Throwable cause = msg.decoderResult().cause();
            if (cause instanceof MqttUnacceptableProtocolVersionException) {
                shared.violations().refuseConnect(ch, MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION,
                        "?", "the uplink speaks MQTT 5 only");
            } else if (cause instanceof MqttIdentifierRejectedException) {
                shared.violations().refuseConnect(ch, MqttConnectReturnCode.CONNECTION_REFUSED_CLIENT_IDENTIFIER_NOT_VALID,
                        "?", cause.getMessage());
            } else if (cause instanceof TooLongFrameException) {
                shared.violations().refuseConnect(ch, MqttConnectReturnCode.CONNECTION_REFUSED_PACKET_TOO_LARGE,
                        "?", cause.getMessage());
            } else {
                shared.violations().refuseConnect(ch, MqttConnectReturnCode.CONNECTION_REFUSED_MALFORMED_PACKET,
                        "?", String.valueOf(cause.getMessage()));
            }
            return;
        }
        if (msg.fixedHeader().messageType() != MqttMessageType.CONNECT) {
            // Nothing may come before CONNECT; there is no session to send a DISCONNECT to.
            shared.violations().disconnect(ch, "?", MqttReasonCodes.Disconnect.PROTOCOL_ERROR,
                    "first packet was " + msg.fixedHeader().messageType() + ", not CONNECT");
            return;
        }
        MqttConnectMessage connect = (MqttConnectMessage) msg;
        String clientId = connect.payload().clientIdentifier();
        if (connect.variableHeader().version() != 5) {
            shared.violations().refuseConnect(ch, MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION,
                    clientId, "the uplink speaks MQTT 5 only (docs/uplink.md)");
            return;
        }
        if (clientId == null || !GATEWAY_ID.matcher(clientId).matches()) {
            shared.violations().refuseConnect(ch, MqttConnectReturnCode.CONNECTION_REFUSED_CLIENT_IDENTIFIER_NOT_VALID,
                    clientId, "client id must be the gateway id: 1-64 characters of A-Z a-z 0-9 . _ -");
            return;
        }
        String user = connect.payload().userName();
        byte[] password = connect.payload().passwordInBytes();
        if (!clientId.equals(user) || password == null) {
            shared.violations().refuseConnect(ch, MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD,
                    clientId, "user name must be the gateway id, with the gateway's secret as password");
            return;
        }
        int keepAlive = connect.variableHeader().keepAliveTimeSeconds();
        String secret = new String(password, StandardCharsets.UTF_8);
        // CONNECT has arrived: the deadline was for the client; checking the secret is the hub's time.
        connectDeadline.cancel(false);
        authenticating = true;
        ch.config().setAutoRead(false);
        try {
            authExecutor.execute(() -> check(ctx, clientId, secret, keepAlive));
        } catch (RejectedExecutionException e) {
            // More gateways are connecting than the checks can take: say so, and the gateway backs off.
            authenticating = false;
            shared.violations().refuseConnect(ch, MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_BUSY, clientId,
                    "too many gateways connecting at once, try again later");
        }
    }

    /** Off the event loop. */
    private void check(ChannelHandlerContext ctx, String clientId, String secret, int keepAlive) {
        if (!ctx.channel().isActive()) {
            // The gateway stopped waiting (its CONNACK timeout) while the check queued: it will come
            // again, and hashing for nobody would only lengthen the queue in a storm. Packets held
            // back were released when the channel went inactive.
            return;
        }
        boolean ok;
        try {
            ok = gateways.check(clientId, secret);
        } catch (Exception e) {
            log.warn("cannot check credentials of gateway {}: {}", clientId, e.getMessage());
            ctx.executor().execute(() -> shared.violations().refuseConnect(ctx.channel(),
                    MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_BUSY, clientId, "credential store unavailable"));
            return;
        }
        ctx.executor().execute(() -> accepted(ctx, clientId, ok, keepAlive));
    }

    private void accepted(ChannelHandlerContext ctx, String gatewayId, boolean ok, int keepAlive) {
        Channel ch = ctx.channel();
        if (!ok) {
            early.forEach(ReferenceCountUtil::release);
            early.clear();
            shared.violations().refuseConnect(ch, MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD,
                    gatewayId, "unknown gateway or wrong secret");
            return;
        }
        if (!ch.isActive()) {
            early.forEach(ReferenceCountUtil::release);
            early.clear();
            return;
        }
        Channel old = shared.sessions().attach(gatewayId, ch);
        if (old != null && old.isActive()) {
            shared.violations().disconnect(old, gatewayId, MqttReasonCodes.Disconnect.SESSION_TAKEN_OVER,
                    "a newer connection of the same gateway from " + ch.remoteAddress());
        }
        ch.writeAndFlush(MqttMessageBuilders.connAck()
                .returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED)
                .sessionPresent(false)
                .properties(p -> p.receiveMaximum(shared.receiveMaximum())
                        .maximumPacketSize(shared.maxPacketBytes())
                        .maximumQos((byte) 1)
                        .retainAvailable(false)
                        .wildcardSubscriptionAvailable(false)
                        .subscriptionIdentifiersAvailable(false)
                        .sharedSubscriptionAvailable(false)
                        .topicAliasMaximum(0))
                .build());
        log.info("gateway {} connected from {}", gatewayId, ch.remoteAddress());
        if (keepAlive > 0) {
            // MQTT: the server may close after 1.5 keep-alive periods without a packet.
            ctx.pipeline().addBefore(UplinkHandlers.CONNECT, UplinkHandlers.IDLE,
                    new IdleStateHandler(keepAlive * 1500L, 0, 0, TimeUnit.MILLISECONDS));
        }
        ctx.pipeline().replace(this, UplinkHandlers.BATCH, new BatchHandler(shared, gatewayId));
        // Fired from the decoder's context so they pass the keep-alive handler and reach the BatchHandler.
        for (Object m : early) {
            ch.pipeline().context(UplinkHandlers.DECODER).fireChannelRead(m);
        }
        early.clear();
        ch.config().setAutoRead(true);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        early.forEach(ReferenceCountUtil::release);
        early.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("uplink connection from {} failed before CONNECT: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
