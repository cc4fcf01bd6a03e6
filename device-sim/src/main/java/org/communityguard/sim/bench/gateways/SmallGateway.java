package org.communityguard.sim.bench.gateways;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttReasonCodes;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.communityguard.sim.bench.BenchOptions;
import org.communityguard.sim.bench.BenchReading;
import org.communityguard.sim.bench.Fleet;
import org.communityguard.sim.bench.UplinkJson;

/**
 * One small community gateway on the hub's uplink, speaking docs/uplink.md as our edge agent does:
 * CONNECT with its id and secret (clean start), QoS 1 batches to its own topic with a fresh batch
 * key each, at most its window (capped by the hub's Receive Maximum) unacknowledged, every batch
 * kept until its Success PUBACK and, after any disconnect, resent under the same key before new
 * ones. Its devices report on a {@link ReadingSchedule}; a batch leaves {@code linger} after the
 * first reading it holds fell due (the edge agent's {@code uplink.linger}), so at a reading a
 * second or two a batch holds one reading, now and then two or three. Readings keep falling due
 * while it is disconnected and wait in its outbox, as in the agent's buffer.
 *
 * <p>A connection that fails, is refused, or is closed by the hub is retried after a back-off
 * (0.25 s doubling to 5 s, each drawn from half to all of it, so retries spread out); one the
 * driver dropped itself ({@link #drop}) is redialled at once. All state is confined to the
 * gateway's event loop: every method here runs on it.
 */
final class SmallGateway {

    private static final int MAX_READINGS = 5000;
    private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final int KEEP_ALIVE_SECONDS = 30;
    private static final int MAX_PACKET_BYTES = 1024 * 1024;

    /** A batch as sealed: its key and bytes never change, however often it is sent. */
    record Batch(long order, String id, byte[] payload, List<BenchReading> readings) {
    }

    private record InFlight(Batch batch, long sentNanos) {
    }

    private final BenchOptions.Gateway gateway;
    private final String topic;
    private final Fleet fleet;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final Tally tally;
    private final int window;
    private final Duration period;
    private final long lingerNanos;
    private final SplittableRandom random;
    private final ArrayDeque<Batch> outbox = new ArrayDeque<>();
    private final Map<Integer, InFlight> inflight = new HashMap<>();
    /** Sequence numbers acknowledged, per device: what the hub must have stored, once each. */
    private final Map<String, BitSet> acked = new HashMap<>();

    private ReadingSchedule schedule;
    private long taken;
    private long sealed;
    private boolean generating;
    private boolean stopping;
    private Channel channel;
    private boolean up;
    /** This attempt's TCP connection opened, and the hub answered its CONNECT. */
    private boolean opened;
    private boolean answered;
    private int allowed;
    private int lastPacketId;
    private int failedAttempts;
    /** The driver closed the connection on purpose: redial at once. */
    private boolean dropped;
    /** Dropped in the storm and not yet back. */
    private boolean returning;

    SmallGateway(BenchOptions.Gateway gateway, InetSocketAddress hub, EventLoop loop, Tally tally, int window,
                 Duration period, Duration linger, long seed) {
        this.gateway = gateway;
        this.topic = "uplink/v1/" + gateway.id() + "/batch";
        this.fleet = new Fleet(gateway.id(), 0, seed, System::currentTimeMillis);
        this.loop = loop;
        this.tally = tally;
        this.window = window;
        this.period = period;
        this.lingerNanos = linger.toNanos();
        this.random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        this.bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class).remoteAddress(hub)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new MqttDecoder(MAX_PACKET_BYTES), MqttEncoder.INSTANCE,
                                new IdleStateHandler(0, KEEP_ALIVE_SECONDS / 2, 0), new Session());
                    }
                });
    }

    EventLoop loop() {
        return loop;
    }

    String id() {
        return gateway.id();
    }

    /** Opens a connection unless one is open or opening. */
    void connect() {
        if (stopping || channel != null) {
            return;
        }
        tally.count("connect attempts");
        opened = false;
        answered = false;
        ChannelFuture f = bootstrap.connect();
        Channel ch = f.channel();
        channel = ch;
        f.addListener(done -> {
            if (!done.isSuccess()) {
                tally.count("connect failed: " + done.cause().getClass().getSimpleName());
            }
        });
        // Fires for a connection that never opened as well as for one that closed.
        ch.closeFuture().addListener(done -> closed(ch));
    }

    /** From {@code startNanos} on, the devices report; batches are sealed as they fall due. */
    void startLoad(long startNanos) {
        schedule = ReadingSchedule.random(startNanos, period, fleet.deviceCount(), random);
        taken = 0;
        generating = true;
        scheduleSeal();
    }

    /** No more readings; what is sealed is still sent. */
    void stopLoad() {
        generating = false;
    }

    /** A smoke detector's fire alarm, sent in a batch of its own ahead of routine ones, as the agent does. */
    void raiseAlarm() {
        if (!generating) {
            return;
        }
        outbox.addFirst(seal(List.of(fleet.alarm())));
        pump();
    }

    /** The storm: the socket closed at once, no DISCONNECT, as when a gateway's network drops. */
    void drop() {
        returning = true;
        if (channel == null) {
            connect();
        } else if (up) {
            dropped = true;
            channel.close();
        }
        // Still opening: its CONNACK counts as its return.
    }

    /** Sends DISCONNECT and closes for good. */
    void close() {
        stopping = true;
        generating = false;
        if (channel != null) {
            if (up) {
                channel.writeAndFlush(MqttMessageBuilders.disconnect().reasonCode((byte) 0).build());
            }
            channel.close();
        }
    }

    /** The acknowledged sequence numbers by device; read only once every loop has stopped. */
    Map<String, BitSet> acked() {
        return acked;
    }

    private void scheduleSeal() {
        if (!generating) {
            return;
        }
        long at = schedule.nextSealNanos(taken, lingerNanos);
        loop.schedule(this::sealDue, Math.max(0, at - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void sealDue() {
        if (!generating) {
            return;
        }
        long due = schedule.dueBy(System.nanoTime()) - taken;
        if (due > 0) {
            int n = (int) Math.min(due, MAX_READINGS);
            taken += n;
            outbox.addLast(seal(fleet.next(n)));
            pump();
        }
        scheduleSeal();
    }

    private Batch seal(List<BenchReading> readings) {
        String id = UUID.randomUUID().toString();
        tally.batchQueued();
        return new Batch(sealed++, id, UplinkJson.batch(gateway.id(), id, readings), readings);
    }

    /** Publishes from the outbox while the window has room. */
    private void pump() {
        boolean wrote = false;
        while (up && inflight.size() < allowed && !outbox.isEmpty()) {
            Batch b = outbox.pollFirst();
            int packetId = nextPacketId();
            inflight.put(packetId, new InFlight(b, System.nanoTime()));
            channel.write(MqttMessageBuilders.publish().topicName(topic).qos(MqttQoS.AT_LEAST_ONCE).retained(false)
                    .messageId(packetId).payload(Unpooled.wrappedBuffer(b.payload())).build());
            wrote = true;
        }
        if (wrote) {
            channel.flush();
        }
    }

    private int nextPacketId() {
        do {
            lastPacketId = lastPacketId == 65535 ? 1 : lastPacketId + 1;
        } while (inflight.containsKey(lastPacketId));
        return lastPacketId;
    }

    private void connAck(Channel ch, MqttConnAckMessage m) {
        answered = true;
        MqttConnectReturnCode code = m.variableHeader().connectReturnCode();
        if (code != MqttConnectReturnCode.CONNECTION_ACCEPTED) {
            tally.count(String.format("CONNACK 0x%02x", code.byteValue() & 0xff));
            ch.close();
            return;
        }
        MqttProperties.MqttProperty<?> max = m.variableHeader().properties()
                .getProperty(MqttProperties.MqttPropertyType.RECEIVE_MAXIMUM.value());
        allowed = Math.min(window, max instanceof MqttProperties.IntegerProperty p ? p.value() : 65535);
        up = true;
        failedAttempts = 0;
        long now = System.nanoTime();
        tally.sessionUp(now);
        if (returning) {
            returning = false;
            tally.returned(now);
        }
        pump();
    }

    private void pubAck(int packetId, int reason, MqttProperties props) {
        InFlight f = inflight.remove(packetId);
        if (f == null) {
            tally.fail(gateway.id() + ": PUBACK for packet " + packetId + ", which is not in flight");
            return;
        }
        long now = System.nanoTime();
        String refused = refused(props);
        if (reason == MqttReasonCodes.PubAck.SUCCESS.byteValue() && refused == null) {
            for (BenchReading r : f.batch().readings()) {
                acked.computeIfAbsent(r.device(), d -> new BitSet()).set((int) r.seq());
            }
            tally.acknowledged(f.batch().readings().size(), now - f.sentNanos(), now);
        } else if (reason == MqttReasonCodes.PubAck.QUOTA_EXCEEDED.byteValue()) {
            // The hub could not store it in time: kept and resent, as docs/uplink.md says.
            tally.count("PUBACK 0x97 (resent)");
            outbox.addFirst(f.batch());
        } else {
            tally.batchAbandoned(String.format("%s batch %s: PUBACK 0x%02x%s", gateway.id(), f.batch().id(), reason & 0xff,
                    refused == null ? "" : ", " + refused + " readings refused"));
        }
        pump();
    }

    /** The hub's count of readings it refused inside a stored batch, or null when none. */
    static String refused(MqttProperties props) {
        if (props == null) {
            return null;
        }
        for (MqttProperties.MqttProperty<?> p : props.getProperties(MqttProperties.MqttPropertyType.USER_PROPERTY.value())) {
            if (p instanceof MqttProperties.UserProperty u && "rejected".equals(u.value().key)) {
                return u.value().value;
            }
        }
        return null;
    }

    private void closed(Channel ch) {
        if (ch != channel) {
            return;
        }
        channel = null;
        boolean wasUp = up;
        if (up) {
            up = false;
            tally.sessionDown();
        }
        // Unacknowledged batches go first on the next connection, same keys, in their order.
        List<InFlight> unacked = new ArrayList<>(inflight.values());
        inflight.clear();
        unacked.sort(Comparator.comparingLong((InFlight f) -> f.batch().order()).reversed());
        for (InFlight f : unacked) {
            outbox.addFirst(f.batch());
            tally.count("batches unacknowledged at a close (resent)");
        }
        if (stopping) {
            return;
        }
        if (dropped) {
            dropped = false;
            connect();
            return;
        }
        if (wasUp) {
            tally.count("sessions closed by the hub");
        } else if (opened && !answered) {
            tally.count("closed before CONNACK");
        }
        failedAttempts++;
        long backoff = Math.min(MAX_BACKOFF_NANOS, FIRST_BACKOFF_NANOS << Math.min(failedAttempts - 1, 5));
        loop.schedule(this::connect, backoff / 2 + random.nextLong(backoff / 2 + 1), TimeUnit.NANOSECONDS);
    }

    /** The MQTT session on one connection: CONNECT when it opens, then CONNACK, PUBACKs, DISCONNECT. */
    private final class Session extends SimpleChannelInboundHandler<MqttMessage> {

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            opened = true;
            ctx.writeAndFlush(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_5)
                    .clientId(gateway.id()).username(gateway.id())
                    .password(gateway.secret().getBytes(StandardCharsets.UTF_8))
                    .cleanSession(true).keepAlive(KEEP_ALIVE_SECONDS).build());
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, MqttMessage msg) {
            if (msg.decoderResult().isFailure()) {
                tally.fail(gateway.id() + ": undecodable packet from the hub: " + msg.decoderResult().cause());
                ctx.close();
                return;
            }
            switch (msg.fixedHeader().messageType()) {
                case CONNACK -> connAck(ctx.channel(), (MqttConnAckMessage) msg);
                case PUBACK -> {
                    Object header = msg.variableHeader();
                    if (header instanceof MqttPubReplyMessageVariableHeader reply) {
                        pubAck(reply.messageId(), reply.reasonCode(), reply.properties());
                    } else {
                        pubAck(((MqttMessageIdVariableHeader) header).messageId(), 0, null);
                    }
                }
                case DISCONNECT -> {
                    Object header = msg.variableHeader();
                    int reason = header instanceof MqttReasonCodeAndPropertiesVariableHeader h ? h.reasonCode() & 0xff : 0;
                    tally.count(String.format("DISCONNECT 0x%02x from the hub", reason));
                }
                case PINGRESP -> {
                    // Keep-alive answered; nothing to do.
                }
                default -> tally.fail(gateway.id() + ": unexpected " + msg.fixedHeader().messageType() + " from the hub");
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent && up) {
                ctx.writeAndFlush(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false,
                        MqttQoS.AT_MOST_ONCE, false, 0)));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A reset by the hub, mostly; what follows (the close) is what is counted.
            tally.count("connection errors: " + cause.getClass().getSimpleName());
            ctx.close();
        }
    }
}
