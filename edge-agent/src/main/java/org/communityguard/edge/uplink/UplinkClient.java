package org.communityguard.edge.uplink;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 * each PUBACK: forget the batch (0x00), resend it later (0x97), split it to isolate what the hub
 * cannot parse (0x99, {@link UplinkBuffer#malformed}).
 *
 * <p>The client keeps batches itself rather than in Paho's persistence: clean start, and after
 * every reconnect {@link UplinkBuffer#resendAllInFlight()} sends the unacknowledged ones again
 * under their original ids, which the hub stores once. Up to {@code window} batches are in
 * flight, capped by the hub's Receive Maximum; Paho's default of 10 would starve the link on
 * any real round trip, so the window is ours. Routine batches may take all of it but one place,
 * which is kept for batches of safety events ({@link Window}).
 *
 * <p><b>Maximum Packet Size.</b> The hub's CONNACK says how large a packet it takes; a larger one
 * would be refused (DISCONNECT 0x95) and resent for ever. Paho 1.2.5 does not enforce it (it
 * checks outgoing packets against the client's own incoming limit), so the client asks the
 * buffer for batches whose readings fit what the limit leaves after the PUBLISH header and the
 * batch envelope, and checks each encoded packet before it goes.
 *
 * <p><b>PUBACK timeout.</b> A batch unacknowledged for {@code ackTimeout} means the connection is
 * wedged: a black-holed network path keep-alive has not noticed yet, or a hub that answers pings
 * and has lost the batch. MQTT 5 forbids resending a PUBLISH on the same connection (only after a
 * reconnect, MQTT-4.4.0-1), and with clean start the hub keeps no session, so the client drops
 * the connection and resends every unacknowledged batch on a new one, under the same batch ids:
 * the hub stores each once. The timeout must exceed the hub's slowest honest answer (it answers
 * 0x97 after {@code HUB_INGEST_RETRY_TIMEOUT}, 15 s by default, while its database is down), or a
 * hub applying back-pressure gets its window sent twice.
 */
public final class UplinkClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UplinkClient.class);

    static final int QUOTA_EXCEEDED = 0x97;
    static final int PAYLOAD_FORMAT_INVALID = 0x99;
    static final int NOT_AUTHORIZED = 0x87;

    /** How long a TCP connect and the MQTT CONNECT may take before the attempt is given up. */
    static final int CONNECT_TIMEOUT_SECONDS = 10;
    /** A PUBLISH's fixed header (4-byte remaining length at most), packet id and empty properties. */
    private static final int PUBLISH_OVERHEAD = 1 + 4 + 2 + 2 + 1;

    /**
     * @param url           tcp://host:port or ssl://host:port
     * @param batchReadings most readings in one batch
     * @param linger        how long a batch waits to fill
     * @param window        unacknowledged batches in flight (the hub's Receive Maximum caps it)
     * @param retry         wait before resending a batch the hub could not store, and the reconnect back-off ceiling
     * @param ackTimeout    a batch unacknowledged this long is resent on a new connection
     * @param keepAlive     MQTT keep-alive: a silent connection is given up after about 1.5 times this
     */
    public record Settings(String url, String gatewayId, String secret, int batchReadings, Duration linger, int window,
                           Duration retry, Duration ackTimeout, Duration keepAlive) {
        @Override
        public String toString() {
            return "Settings[url=" + url + ", gatewayId=" + gatewayId + ", secret=***, batchReadings=" + batchReadings
                    + ", linger=" + linger + ", window=" + window + ", retry=" + retry + ", ackTimeout=" + ackTimeout
                    + ", keepAlive=" + keepAlive + "]";
        }
    }

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
    private final Duration ackTimeout;
    private final Duration keepAlive;
    /** For an {@code ssl://} url; null for plain TCP. */
    private final SocketFactory socketFactory;

    private final Object connection = new Object();
    private MqttAsyncClient client;
    /** Replaced on every connection: the in-flight batches allowed on that connection. */
    private volatile Window permits = new Window(0);
    /** Replaced on every connection: when each batch in flight on it was published (nanoTime). */
    private volatile Map<String, Long> inFlight = new ConcurrentHashMap<>();
    /** The hub's Maximum Packet Size on the current connection. */
    private volatile long maxPacket = Integer.MAX_VALUE;
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
    private final Counter ackTimeouts;
    private final MeterRegistry registry;
    private final Timer ackLatency;

    /** @param socketFactory TLS for an {@code ssl://} url ({@link UplinkTls}); null for {@code tcp://} */
    public UplinkClient(Settings settings, UplinkBuffer buffer, BatchEncoder encoder, SocketFactory socketFactory,
                        MeterRegistry registry) {
        this.url = settings.url();
        this.gatewayId = settings.gatewayId();
        this.secret = settings.secret();
        this.topic = "uplink/v1/" + gatewayId + "/batch";
        this.buffer = buffer;
        this.encoder = encoder;
        this.batchReadings = settings.batchReadings();
        this.linger = settings.linger();
        this.window = settings.window();
        this.retry = settings.retry();
        this.ackTimeout = settings.ackTimeout();
        this.keepAlive = settings.keepAlive();
        this.socketFactory = socketFactory;
        this.registry = registry;
        this.sent = Counter.builder("edge.uplink.batches.sent").description("batches published to the hub, resends included")
                .register(registry);
        this.acked = Counter.builder("edge.uplink.batches.acked").description("batches the hub acknowledged as stored")
                .register(registry);
        this.retried = Counter.builder("edge.uplink.batches.retry")
                .description("batches the hub asked to resend later (PUBACK 0x97)").register(registry);
        this.ackTimeouts = Counter.builder("edge.uplink.ack.timeouts")
                .description("connections left because a batch had no PUBACK within uplink.ack-timeout").register(registry);
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
        long checkMs = Math.max(100, Math.min(1000, ackTimeout.toMillis() / 4));
        scheduler.scheduleWithFixedDelay(this::checkAcks, checkMs, checkMs, TimeUnit.MILLISECONDS);
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
        MqttAsyncClient c = null;
        try {
            c = new MqttAsyncClient(url, gatewayId, new MemoryPersistence());
            c.setCallback(new Callback(c));
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setCleanStart(true);
            options.setUserName(gatewayId);
            options.setPassword(secret.getBytes(StandardCharsets.UTF_8));
            // Keep-alive and connect timeout bound how long a dead path goes unnoticed when
            // nothing is in flight; with batches in flight the ack timeout is the bound.
            options.setKeepAliveInterval((int) keepAlive.toSeconds());
            options.setConnectionTimeout(CONNECT_TIMEOUT_SECONDS);
            options.setAutomaticReconnect(false);
            if (socketFactory != null) {
                options.setSocketFactory(socketFactory);
                // The hub's certificate must name the host we dialled, not merely chain to the CA.
                options.setHttpsHostnameVerificationEnabled(true);
            }
            IMqttToken token = c.connect(options);
            // A CONNACK that never comes (a path black-holed after the TCP handshake) is given up too.
            token.waitForCompletion((CONNECT_TIMEOUT_SECONDS + 5) * 1000L);
            MqttProperties props = token.getResponseProperties();
            Integer serverMax = props == null ? null : props.getReceiveMaximum();
            int allowed = Math.min(window, serverMax == null ? 65535 : serverMax);
            Long packetMax = props == null ? null : props.getMaximumPacketSize();
            synchronized (connection) {
                client = c;
                permits = new Window(allowed);
                inFlight = new ConcurrentHashMap<>();
                maxPacket = packetMax == null ? Integer.MAX_VALUE : Math.min(Integer.MAX_VALUE, packetMax);
                // Whatever was in flight on the previous connection goes again, first.
                buffer.resendAllInFlight();
                connected = true;
                connection.notifyAll();
            }
            log.info("uplink connected to {} as {} ({} batches in flight at most, packets of {} bytes at most)", url,
                    gatewayId, allowed, packetMax == null ? "any" : packetMax);
            return true;
        } catch (MqttException e) {
            if (c != null) {
                // A half-open attempt would otherwise keep its socket and threads.
                closeQuietly(c);
            }
            if (e.getReasonCode() == 0x86 || e.getReasonCode() == 0x87 || e.getReasonCode() == 0x85) {
                log.error("the hub at {} refuses gateway {} (reason 0x{}): check EDGE_GATEWAY_ID and EDGE_UPLINK_SECRET",
                        url, gatewayId, Integer.toHexString(e.getReasonCode()));
            } else {
                log.warn("uplink to {} not connected: {}", url, e.getMessage());
            }
            return false;
        }
    }

    /** What the hub's Maximum Packet Size leaves for the readings of one batch. */
    private int maxReadingBytes() {
        long room = maxPacket - PUBLISH_OVERHEAD - 2 - topic.getBytes(StandardCharsets.UTF_8).length
                - encoder.envelopeBytes(gatewayId);
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, room));
    }

    /** The whole PUBLISH packet a payload makes (its remaining length counted exactly). */
    private long packetBytes(byte[] payload) {
        long remaining = 2 + topic.getBytes(StandardCharsets.UTF_8).length + 2 + 1 + payload.length;
        int lengthBytes = remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4;
        return 1 + lengthBytes + remaining;
    }

    /** On the scheduler: a batch in flight past the ack timeout means the connection is wedged. */
    private void checkAcks() {
        MqttAsyncClient c;
        synchronized (connection) {
            if (!connected) {
                return;
            }
            c = client;
        }
        long now = System.nanoTime();
        for (Map.Entry<String, Long> e : inFlight.entrySet()) {
            if (now - e.getValue() > ackTimeout.toNanos()) {
                ackTimeouts.increment();
                log.warn("no PUBACK for batch {} within {} (uplink.ack-timeout): leaving the connection to {} and resending"
                        + " the unacknowledged batches on a new one", e.getKey(), ackTimeout, url);
                lost("no PUBACK within " + ackTimeout);
                closeQuietly(c);
                return;
            }
        }
    }

    /**
     * The batches in flight a connection allows, one place of which is kept for safety events
     * (when it allows more than one): a window full of routine batches waiting for a slow hub
     * must not hold an alarm back until one of them is acknowledged.
     */
    private static final class Window {
        private final Semaphore any;
        private final Semaphore routine;

        Window(int allowed) {
            any = new Semaphore(allowed);
            routine = new Semaphore(allowed > 1 ? allowed - 1 : allowed);
        }
    }

    /** A place taken in a window; released once, when its batch is settled or given back. */
    private static final class Permit {
        private final Window window;
        private boolean routine;
        private boolean released;

        Permit(Window window, boolean routine) {
            this.window = window;
            this.routine = routine;
        }

        /** The batch is urgent after all: it needs no routine place. */
        synchronized void urgent() {
            if (routine) {
                routine = false;
                window.routine.release();
            }
        }

        synchronized void release() {
            if (!released) {
                released = true;
                window.any.release();
                if (routine) {
                    window.routine.release();
                }
            }
        }
    }

    /** How long the sender waits for a safety event while routine batches fill the window, before looking again. */
    private static final Duration URGENT_ONLY_WAIT = Duration.ofMillis(50);

    private void sendLoop() {
        while (running) {
            try {
                MqttAsyncClient c;
                Window w;
                synchronized (connection) {
                    while (running && !connected) {
                        connection.wait(1000);
                    }
                    c = client;
                    w = permits;
                }
                if (!running) {
                    return;
                }
                if (!w.any.tryAcquire(1, TimeUnit.SECONDS)) {
                    continue;
                }
                // Without a routine place only a batch of safety events may go; the wait is short so
                // that a routine place freed meanwhile is used soon.
                Permit p = new Permit(w, w.routine.tryAcquire());
                Batch batch = buffer.next(batchReadings, maxReadingBytes(), linger,
                        p.routine ? Duration.ofSeconds(1) : URGENT_ONLY_WAIT, !p.routine);
                if (batch == null) {
                    p.release();
                    continue;
                }
                if (batch.urgent()) {
                    p.urgent();
                }
                publish(c, p, batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void publish(MqttAsyncClient c, Permit p, Batch batch) {
        byte[] payload = encoder.encode(gatewayId, batch);
        if (packetBytes(payload) > maxPacket) {
            // The buffer sized the batch for this limit; if our arithmetic is ever off, the hub
            // would refuse the packet for ever, so the batch is split like a refused one.
            p.release();
            log.error("batch {} encodes to a {}-byte packet, over the hub's maximum of {}: splitting it", batch.id(),
                    packetBytes(payload), maxPacket);
            buffer.malformed(batch.id(), "packet larger than the hub's maximum packet size");
            return;
        }
        MqttMessage message = new MqttMessage(payload);
        message.setQos(1);
        message.setRetained(false);
        long start = System.nanoTime();
        Map<String, Long> tracked = inFlight;
        tracked.put(batch.id(), start);
        try {
            c.publish(topic, message, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    tracked.remove(batch.id());
                    p.release();
                    int[] codes = token.getReasonCodes();
                    int code = codes == null || codes.length == 0 ? 0 : codes[0];
                    settled(batch, code, token.getResponseProperties(), start);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable cause) {
                    tracked.remove(batch.id());
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
            tracked.remove(batch.id());
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

    /**
     * Drops a connection without a word to the hub and frees the client, on a thread of its own:
     * on a black-holed socket nothing here may hold up reconnecting. (Paho refuses to close a
     * client that is connected or connecting, hence the forced disconnect first.)
     */
    private static void closeQuietly(MqttAsyncClient c) {
        Thread closer = new Thread(() -> {
            try {
                c.disconnectForcibly(0, 1000, false);
            } catch (MqttException | RuntimeException e) {
                log.debug("disconnecting the old uplink client: {}", e.getMessage());
            }
            try {
                c.close(true);
            } catch (MqttException | RuntimeException e) {
                log.debug("closing the old uplink client: {}", e.getMessage());
            }
        }, "uplink-close");
        closer.setDaemon(true);
        closer.start();
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
                try {
                    client.close(true);
                } catch (MqttException e) {
                    log.debug("uplink close: {}", e.getMessage());
                }
            }
        }
    }
}
