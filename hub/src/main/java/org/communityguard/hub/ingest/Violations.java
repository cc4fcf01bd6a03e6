package org.communityguard.hub.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttReasonCodes;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that rejects gateways: a refused CONNECT, a refused batch, a closed
 * connection. Each rejection gets its MQTT 5 reason code, a counter
 * ({@code hub_uplink_rejections_total{reason}}) and a (rate-limited) log line. No other class
 * decides how to reject.
 */
final class Violations {

    private static final Logger log = LoggerFactory.getLogger(Violations.class);

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final LogLimiter limiter = new LogLimiter(log, 10, TimeUnit.SECONDS);

    Violations(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Answers CONNECT with a refusal and closes. */
    void refuseConnect(Channel ch, MqttConnectReturnCode code, String clientId, String detail) {
        count(code.name().replace("CONNECTION_REFUSED_", ""));
        limiter.warn("connect|" + ch.remoteAddress(), "uplink connection from {} (client id '{}') refused, {}: {}",
                ch.remoteAddress(), clientId, code, detail);
        ch.writeAndFlush(MqttMessageBuilders.connAck().returnCode(code).sessionPresent(false).build())
                .addListener(ChannelFutureListener.CLOSE);
    }

    /** Sends DISCONNECT with the reason and closes the connection. */
    void disconnect(Channel ch, String gatewayId, MqttReasonCodes.Disconnect reason, String detail) {
        count(reason.name());
        limiter.warn("disconnect|" + gatewayId + "|" + reason, "uplink of gateway {} ({}) closed, {}: {}",
                gatewayId, ch.remoteAddress(), reason, detail);
        MqttProperties props = new MqttProperties();
        props.add(new MqttProperties.StringProperty(MqttProperties.MqttPropertyType.REASON_STRING.value(), detail));
        ch.writeAndFlush(MqttMessageBuilders.disconnect().reasonCode(reason.byteValue()).properties(props).build())
                .addListener(ChannelFutureListener.CLOSE);
    }

    /** Closes a connection that did not complete CONNECT in time; there is no session to send DISCONNECT to. */
    void connectTimeout(Channel ch, Duration timeout) {
        count("connect_timeout");
        limiter.warn("connect-timeout|" + ch.remoteAddress(), "uplink connection from {} closed: no CONNECT completed within {} s",
                ch.remoteAddress(), timeout.toSeconds());
        ch.close();
    }

    /** Closes a new connection at once: the hub holds as many uplink connections as it may. */
    void tooManyConnections(Channel ch, int max) {
        count("too_many_connections");
        limiter.warn("too-many", "uplink connection from {} closed: {} uplink connections are open already (uplink.max-connections)",
                ch.remoteAddress(), max);
        ch.close();
    }

    /** The PUBACK refusing one batch; the connection stays open. */
    MqttMessage rejectBatch(String gatewayId, int packetId, MqttReasonCodes.PubAck reason, String detail) {
        count(reason.name());
        limiter.warn("batch|" + gatewayId + "|" + reason, "batch from gateway {} refused, {}: {}", gatewayId, reason, detail);
        MqttProperties props = new MqttProperties();
        props.add(new MqttProperties.StringProperty(MqttProperties.MqttPropertyType.REASON_STRING.value(), truncate(detail)));
        return MqttMessageBuilders.pubAck().packetId(packetId).reasonCode(reason.byteValue()).properties(props).build();
    }

    /** Counts readings refused inside an accepted batch, logging one line for the batch. */
    void rejectedReadings(String gatewayId, String batchId, java.util.List<UplinkBatch.Rejected> rejected) {
        for (UplinkBatch.Rejected r : rejected) {
            registry.counter("hub.readings.rejected", "reason", r.reason()).increment();
        }
        UplinkBatch.Rejected first = rejected.get(0);
        limiter.warn("readings|" + gatewayId, "gateway {} batch {}: {} readings refused, first at index {} ({}: {})",
                gatewayId, batchId, rejected.size(), first.index(), first.reason(), first.detail());
    }

    /**
     * Counts safety alarms kept although their device is registered to another gateway or
     * community ({@link GatewayBinding}): the binding was violated, the alarm still got through.
     */
    void foreignAlarms(String gatewayId, String batchId, java.util.List<UplinkBatch.Rejected> kept) {
        for (UplinkBatch.Rejected r : kept) {
            registry.counter("hub.foreign.safety.alarms", "reason", r.reason()).increment();
        }
        UplinkBatch.Rejected first = kept.get(0);
        limiter.warn("foreign|" + gatewayId, "gateway {} batch {}: {} safety alarms of devices registered elsewhere kept,"
                        + " flagged, first at index {} ({}: {})",
                gatewayId, batchId, kept.size(), first.index(), first.reason(), first.detail());
    }

    private void count(String reason) {
        counters.computeIfAbsent(reason, r -> Counter.builder("hub.uplink.rejections")
                .description("uplink connections, batches and packets refused, by MQTT reason")
                .tag("reason", r.toLowerCase(Locale.ROOT)).register(registry)).increment();
    }

    private static String truncate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
