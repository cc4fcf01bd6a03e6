package org.communityguard.edge.uplink;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An MQTT 5 server standing in for the hub's uplink: it accepts any gateway, grants a Receive
 * Maximum, records every batch published, and acknowledges one only when told to: a hub whose
 * database is slow, held still.
 */
final class WithholdingHub implements AutoCloseable {

    /** A batch as it arrived; {@link #ack} answers it. */
    record Published(int packetId, String payload, Channel channel) {
    }

    private final NioEventLoopGroup group = new NioEventLoopGroup(1);
    private final Channel server;
    private final LinkedBlockingQueue<Published> published = new LinkedBlockingQueue<>();

    WithholdingHub(int receiveMaximum) throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new MqttDecoder(), MqttEncoder.INSTANCE, new SimpleChannelInboundHandler<MqttMessage>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, MqttMessage msg) {
                                MqttMessageType type = msg.fixedHeader().messageType();
                                if (type == MqttMessageType.CONNECT) {
                                    ctx.writeAndFlush(MqttMessageBuilders.connAck()
                                            .returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED).sessionPresent(false)
                                            .properties(p -> p.receiveMaximum(receiveMaximum)).build());
                                } else if (type == MqttMessageType.PUBLISH) {
                                    MqttPublishMessage m = (MqttPublishMessage) msg;
                                    published.add(new Published(m.variableHeader().packetId(),
                                            m.content().toString(StandardCharsets.UTF_8), ctx.channel()));
                                } else if (type == MqttMessageType.PINGREQ) {
                                    ctx.writeAndFlush(MqttMessage.PINGRESP);
                                }
                            }
                        });
                    }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    String url() {
        return "tcp://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** The next batch published within {@code seconds}, or null. */
    Published next(int seconds) throws InterruptedException {
        return published.poll(seconds, TimeUnit.SECONDS);
    }

    void ack(Published p) {
        p.channel().writeAndFlush(MqttMessageBuilders.pubAck().packetId(p.packetId()).reasonCode((byte) 0).build());
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
