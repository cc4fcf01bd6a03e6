package org.communityguard.edge.uplink;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import org.communityguard.edge.buffer.Batch;
import org.communityguard.edge.buffer.UplinkBuffer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the buffer's batches to the hub over the MQTT 5 uplink (docs/uplink.md) and acts on
 * each PUBACK: forget the batch (0x00), resend it later (0x97), set it aside as malformed (0x99).
 *
 * <p>The client keeps batches itself rather than in Paho's persistence: clean start, and after
 * every reconnect {@link UplinkBuffer#resendAllInFlight()} sends the unacknowledged ones again
 * under their original ids, which the hub stores once. Up to {@code window} batches are in
 * flight, capped by the hub's Receive Maximum; Paho's default of 10 would starve the link on
 * any real round trip, so the window is ours.
 */
public final class UplinkClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UplinkClient.class);

    static final int QUOTA_EXCEEDED = 0x97;
    static final int PAYLOAD_FORMAT_INVALID = 0x99;
    static final int NOT_AUTHORIZED = 0x87;

    private final String url;
    private final String gatewayId;
    private final String secret;
    private final String topic;
    private final UplinkBuffer buffer;
    private final BatchEncoder encoder;
    private final int batchReadings;
    private final Duration linger;
    private final int window;
    private final Duration retry;
    /** For an {@code ssl://} url; null for plain TCP. */
    private final SocketFactory socketFactory;

    private final Object connection = new Object();
    private MqttAsyncClient client;
    /** Replaced on every connection: permits are the in-flight batches allowed on that connection. */
    private volatile Semaphore permits = new Semaphore(0);
    private volatile boolean connected;
    private volatile boolean running = true;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "uplink-retry");
        t.setDaemon(true);
        return t;
    });
    private final Thread sender = new Thread(this::sendLoop, "uplink-sender");
    private final Thread connector = new Thread(this::connectLoop, "uplink-connector");

    private final Counter sent;
    private final Counter acked;
    private final Counter retried;
    private final MeterRegistry registry;
    private final Timer ackLatency;

    /** @param socketFactory TLS for an {@code ssl://} url ({@link UplinkTls}); null for {@code tcp://} */
    public UplinkClient(String url, String gatewayId, String secret, UplinkBuffer buffer, BatchEncoder encoder,
                        int batchReadings, Duration linger, int window, Duration retry, SocketFactory socketFactory,
                        MeterRegistry registry) {
        this.url = url;
        this.gatewayId = gatewayId;
        this.secret = secret;
        this.topic = "uplink/v1/" + gatewayId + "/batch";
        this.buffer = buffer;
        this.encoder = encoder;
        this.batchReadings = batchReadings;
        this.linger = linger;
        this.window = window;
        this.retry = retry;
        this.socketFactory = socketFactory;
        this.registry = registry;
        this.sent = Counter.builder("edge.uplink.batches.sent").description("batches published to the hub, resends included")
                .register(registry);
        this.acked = Counter.builder("edge.uplink.batches.acked").description("batches the hub acknowledged as stored")
                .register(registry);
        this.retried = Counter.builder("edge.uplink.batches.retry")
                .description("batches the hub asked to resend later (PUBACK 0x97)").register(registry);
        this.ackLatency = Timer.builder("edge.uplink.ack").description("publish to PUBACK of a batch")
                .publishPercentiles(0.5, 0.99).register(registry);
        Gauge.builder("edge.uplink.connected", this, c -> c.connected ? 1 : 0)
                .description("1 while the uplink to the hub is connected").register(registry);
        sender.setDaemon(true);
        connector.setDaemon(true);
    }

    public void start() {
        connector.start();
        sender.start();
    }

    public boolean isConnected() {
        return connected;
    }

    private void connectLoop() {
        long backoffMs = 250;
        while (running) {
            try {
                synchronized (connection) {
                    while (running && connected) {
                        connection.wait(1000);
                    }
                }
                if (!running) {
                    return;
                }
                if (connect()) {
                    backoffMs = 250;
                } else {
                    Thread.sleep(backoffMs);
                    backoffMs = Math.min(backoffMs * 2, Math.max(250, retry.toMillis()));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private boolean connect() {
        MqttAsyncClient old;
        synchronized (connection) {
            old = client;
            client = null;
        }
        if (old != null) {
            // Closed here, not in its own callback, where Paho's threads would wait on themselves.
            closeQuietly(old);
        }
        try {
            MqttAsyncClient c = new MqttAsyncClient(url, gatewayId, new MemoryPersistence());
            c.setCallback(new Callback(c));
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setCleanStart(true);
            options.setUserName(gatewayId);
            options.setPassword(secret.getBytes(StandardCharsets.UTF_8));
            options.setKeepAliveInterval(30);
            options.setConnectionTimeout(10);
            options.setAutomaticReconnect(false);
            if (socketFactory != null) {
                options.setSocketFactory(socketFactory);
                // The hub's certificate must name the host we dialled, not merely chain to the CA.
                options.setHttpsHostnameVerificationEnabled(true);
            }
            IMqttToken token = c.connect(options);
            token.waitForCompletion(15_000);
            MqttProperties props = token.getResponseProperties();
            Integer serverMax = props == null ? null : props.getReceiveMaximum();
            int allowed = Math.min(window, serverMax == null ? 65535 : serverMax);
            synchronized (connection) {
                client = c;
                permits = new Semaphore(allowed);
                // Whatever was in flight on the previous connection goes again, first.
                buffer.resendAllInFlight();
                connected = true;
                connection.notifyAll();
            }
            log.info("uplink connected to {} as {} ({} batches in flight at most)", url, gatewayId, allowed);
            return true;
        } catch (MqttException e) {
            if (e.getReasonCode() == 0x86 || e.getReasonCode() == 0x87 || e.getReasonCode() == 0x85) {
                log.error("the hub at {} refuses gateway {} (reason 0x{}): check EDGE_GATEWAY_ID and EDGE_UPLINK_SECRET",
                        url, gatewayId, Integer.toHexString(e.getReasonCode()));
            } else {
                log.warn("uplink to {} not connected: {}", url, e.getMessage());
            }
            return false;
        }
    }

    private void sendLoop() {
        while (running) {
            try {
                MqttAsyncClient c;
                Semaphore p;
                synchronized (connection) {
                    while (running && !connected) {
                        connection.wait(1000);
                    }
                    c = client;
                    p = permits;
                }
                if (!running) {
                    return;
                }
                if (!p.tryAcquire(1, TimeUnit.SECONDS)) {
                    continue;
                }
                Batch batch = buffer.next(batchReadings, linger, Duration.ofSeconds(1));
                if (batch == null) {
                    p.release();
                    continue;
                }
                publish(c, p, batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void publish(MqttAsyncClient c, Semaphore p, Batch batch) {
        byte[] payload = encoder.encode(gatewayId, batch);
        MqttMessage message = new MqttMessage(payload);
        message.setQos(1);
        message.setRetained(false);
        long start = System.nanoTime();
        try {
            c.publish(topic, message, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    p.release();
                    int[] codes = token.getReasonCodes();
                    int code = codes == null || codes.length == 0 ? 0 : codes[0];
                    settled(batch, code, token.getResponseProperties(), start);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable cause) {
                    p.release();
                    int code = cause instanceof MqttException me ? me.getReasonCode() : -1;
                    if (code >= 0x80 && code <= 0xFF) {
                        settled(batch, code, token.getResponseProperties(), start);
                    }
                    // Otherwise the connection failed: the batch stays in flight and goes
                    // out again after the reconnect.
                }
            });
            sent.increment();
        } catch (MqttException e) {
            p.release();
            log.debug("publish of batch {} failed, it will be resent: {}", batch.id(), e.getMessage());
            buffer.resend(batch.id());
            if (!c.isConnected()) {
                lost("publish failed: " + e.getMessage());
            }
        }
    }

    private void settled(Batch batch, int code, MqttProperties props, long startNanos) {
        String reason = props == null || props.getReasonString() == null ? "" : props.getReasonString();
        switch (code) {
            case 0 -> {
                ackLatency.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
                acked.increment();
                if (!reason.isEmpty()) {
                    log.warn("hub stored batch {} but refused some readings: {}", batch.id(), reason);
                }
                buffer.acknowledged(batch.id());
            }
            case PAYLOAD_FORMAT_INVALID -> {
                registry.counter("edge.uplink.batches.rejected", "reason", "payload_format_invalid").increment();
                buffer.malformed(batch.id(), reason);
            }
            default -> {
                // 0x97 (hub database behind or down), 0x87 (misconfiguration), anything else:
                // keep the batch and try again later; the readings are not given up.
                if (code == QUOTA_EXCEEDED) {
                    retried.increment();
                } else {
                    registry.counter("edge.uplink.batches.rejected", "reason", "0x" + Integer.toHexString(code)).increment();
                    log.error("hub refused batch {} with reason 0x{}: {}; retrying in {}", batch.id(),
                            Integer.toHexString(code), reason, retry);
                }
                scheduler.schedule(() -> buffer.resend(batch.id()), retry.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    private void lost(String why) {
        synchronized (connection) {
            if (!connected) {
                return;
            }
            connected = false;
            connection.notifyAll();
        }
        log.warn("uplink to {} lost: {}", url, why);
    }

    private final class Callback implements MqttCallback {
        private final MqttAsyncClient owner;

        Callback(MqttAsyncClient owner) {
            this.owner = owner;
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            if (owner == client) {
                lost(response.getReasonString() != null ? response.getReasonString()
                        : "reason 0x" + Integer.toHexString(response.getReturnCode()));
            }
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            log.warn("uplink protocol error: {}", exception.getMessage());
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            // The v1 uplink has no downlink; nothing is subscribed.
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }

    private static void closeQuietly(MqttAsyncClient c) {
        try {
            c.close(true);
        } catch (MqttException | RuntimeException e) {
            log.debug("closing the old uplink client: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        running = false;
        scheduler.shutdownNow();
        sender.interrupt();
        connector.interrupt();
        synchronized (connection) {
            connected = false;
            if (client != null) {
                try {
                    client.disconnect(2000).waitForCompletion(3000);
                } catch (MqttException e) {
                    log.debug("uplink disconnect: {}", e.getMessage());
                }
                closeQuietly(client);
            }
        }
    }
}
