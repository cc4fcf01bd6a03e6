package org.communityguard.hub.ingest;

import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodes;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles an authenticated gateway: each PUBLISH is a batch, decoded here, queued for the
 * database, and acknowledged when the {@link IngestPipeline} reports it committed.
 */
final class BatchHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(BatchHandler.class);

    private final UplinkInitializer.Shared shared;
    private final String gatewayId;
    private final String topic;
    private final String topicPrefix = "uplink/v1/";
    /** Batches received but not yet acknowledged: the MQTT 5 send quota we granted. */
    private int inFlight;

    BatchHandler(UplinkInitializer.Shared shared, String gatewayId) {
        this.shared = shared;
        this.gatewayId = gatewayId;
        this.topic = topicPrefix + gatewayId + "/batch";
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            handle(ctx, (MqttMessage) msg);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void handle(ChannelHandlerContext ctx, MqttMessage msg) {
        Channel ch = ctx.channel();
        if (msg.decoderResult().isFailure()) {
            Throwable cause = msg.decoderResult().cause();
            shared.violations().disconnect(ch, gatewayId, cause instanceof TooLongFrameException
                    ? MqttReasonCodes.Disconnect.PACKET_TOO_LARGE
                    : MqttReasonCodes.Disconnect.MALFORMED_PACKET, String.valueOf(cause.getMessage()));
            return;
        }
        MqttMessageType type = msg.fixedHeader().messageType();
        switch (type) {
            case PUBLISH -> publish(ctx, (MqttPublishMessage) msg);
            case PINGREQ -> ctx.writeAndFlush(MqttMessage.PINGRESP);
            case DISCONNECT -> ctx.close();
            default -> shared.violations().disconnect(ch, gatewayId, MqttReasonCodes.Disconnect.PROTOCOL_ERROR,
                    type + " is not part of the uplink contract (docs/uplink.md)");
        }
    }

    private void publish(ChannelHandlerContext ctx, MqttPublishMessage msg) {
        Channel ch = ctx.channel();
        if (msg.fixedHeader().qosLevel() != MqttQoS.AT_LEAST_ONCE) {
            shared.violations().disconnect(ch, gatewayId, MqttReasonCodes.Disconnect.QOS_NOT_SUPPORTED,
                    "batches are published at QoS 1, not " + msg.fixedHeader().qosLevel());
            return;
        }
        if (msg.fixedHeader().isRetain()) {
            shared.violations().disconnect(ch, gatewayId, MqttReasonCodes.Disconnect.RETAIN_NOT_SUPPORTED,
                    "batches are never retained");
            return;
        }
        if (++inFlight > shared.receiveMaximum()) {
            shared.violations().disconnect(ch, gatewayId, MqttReasonCodes.Disconnect.RECEIVE_MAXIMUM_EXCEEDED,
                    "more than " + shared.receiveMaximum() + " unacknowledged batches");
            return;
        }
        int packetId = msg.variableHeader().packetId();
        String topicName = msg.variableHeader().topicName();
        if (!topic.equals(topicName)) {
            reply(ctx, shared.violations().rejectBatch(gatewayId, packetId, topicName.startsWith(topicPrefix)
                            ? MqttReasonCodes.PubAck.NOT_AUTHORIZED : MqttReasonCodes.PubAck.TOPIC_NAME_INVALID,
                    "gateway " + gatewayId + " publishes batches to " + topic + ", not " + topicName));
            return;
        }
        BatchCodec.Result result = shared.codec().decode(new ByteBufInputStream(msg.content()));
        if (result instanceof BatchCodec.Invalid invalid) {
            reply(ctx, shared.violations().rejectBatch(gatewayId, packetId, MqttReasonCodes.PubAck.PAYLOAD_FORMAT_INVALID,
                    invalid.detail()));
            return;
        }
        UplinkBatch decoded = ((BatchCodec.Decoded) result).batch();
        if (!decoded.gatewayId().equals(gatewayId)) {
            reply(ctx, shared.violations().rejectBatch(gatewayId, packetId, MqttReasonCodes.PubAck.NOT_AUTHORIZED,
                    "batch names gateway " + decoded.gatewayId()));
            return;
        }
        GatewayBinding.Checked checked = shared.binding().check(decoded);
        UplinkBatch batch = checked.batch();
        if (!checked.foreignAlarms().isEmpty()) {
            shared.violations().foreignAlarms(gatewayId, batch.batchId(), checked.foreignAlarms());
        }
        if (!batch.rejected().isEmpty()) {
            shared.violations().rejectedReadings(gatewayId, batch.batchId(), batch.rejected());
        }
        boolean room = shared.pipeline().submit(batch, stored ->
                ctx.executor().execute(() -> reply(ctx, ack(packetId, batch, stored))));
        if (!room) {
            // The database is behind: stop reading this gateway until the queue drains. Its
            // Receive Maximum window fills and it buffers on its own disk meanwhile.
            ch.config().setAutoRead(false);
            shared.pipeline().whenRoom(() -> ch.config().setAutoRead(true));
        }
    }

    private MqttMessage ack(int packetId, UplinkBatch batch, IngestPipeline.Result result) {
        if (result.outcome() == IngestPipeline.Outcome.RETRY_LATER) {
            return shared.violations().rejectBatch(gatewayId, packetId, MqttReasonCodes.PubAck.QUOTA_EXCEEDED,
                    "the hub could not store batch " + batch.batchId() + " in time; resend it later");
        }
        if (!result.refused().isEmpty()) {
            shared.violations().rejectedReadings(gatewayId, batch.batchId(), result.refused());
        }
        List<UplinkBatch.Rejected> rejected = new ArrayList<>(batch.rejected());
        rejected.addAll(result.refused());
        rejected.sort(Comparator.comparingInt(UplinkBatch.Rejected::index));
        MqttProperties props = MqttProperties.NO_PROPERTIES;
        if (!rejected.isEmpty()) {
            props = new MqttProperties();
            UplinkBatch.Rejected first = rejected.get(0);
            props.add(new MqttProperties.StringProperty(MqttProperties.MqttPropertyType.REASON_STRING.value(),
                    rejected.size() + " readings refused; first at index " + first.index() + " (" + first.reason() + "): "
                            + first.detail()));
            props.add(new MqttProperties.UserProperty("rejected", Integer.toString(rejected.size())));
        }
        return MqttMessageBuilders.pubAck().packetId(packetId)
                .reasonCode(MqttReasonCodes.PubAck.SUCCESS.byteValue()).properties(props).build();
    }

    private void reply(ChannelHandlerContext ctx, MqttMessage puback) {
        inFlight--;
        ctx.writeAndFlush(puback);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            shared.violations().disconnect(ctx.channel(), gatewayId, MqttReasonCodes.Disconnect.KEEP_ALIVE_TIMEOUT,
                    "nothing received for 1.5 keep-alive periods");
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        shared.sessions().detach(gatewayId, ctx.channel());
        log.info("gateway {} disconnected ({} batches were not yet acknowledged)", gatewayId, inFlight);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.warn("uplink connection of gateway {} failed: {}", gatewayId, cause.toString());
        ctx.close();
    }
}
