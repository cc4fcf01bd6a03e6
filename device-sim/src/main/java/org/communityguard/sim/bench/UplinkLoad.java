package org.communityguard.sim.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/**
 * Many gateways on the hub's uplink at once, each as a real gateway would be: its own MQTT 5
 * connection and credentials, QoS 1 batches with fresh idempotency keys, and at most
 * {@code window} of them unacknowledged (never more than the hub's Receive Maximum). Counts
 * what the hub acknowledged and how long each acknowledgement took.
 *
 * <p>By default every gateway sends as fast as its window allows (closed loop, the ingest
 * benchmark's maximum). {@link #offer} paces them instead to a fixed total rate on a fixed
 * schedule (open loop): a batch is due at its time whether or not the hub kept up, so a slow hub
 * shows as a lower achieved rate, not as a lower offered one, and each acknowledgement's latency
 * counts from the moment its batch was due, not from when a full window let it go (so a hub that
 * falls behind shows its backlog in the latency: no coordinated omission).
 *
 * <p>Anything but a clean Success PUBACK (another reason code, readings refused inside a batch,
 * a dropped connection) is a failure: the benchmark measures correct ingest or nothing.
 */
public final class UplinkLoad {

    /** Paho's "too many publishes in progress": its in-flight count lags our permit by a moment. */
    private static final int PAHO_MAX_INFLIGHT = MqttClientException.REASON_CODE_MAX_INFLIGHT;
    private static final long MAX_LATENCY_MICROS = TimeUnit.MINUTES.toMicros(10);

    private final String url;
    private final int batchReadings;
    private final int window;
    private final List<Link> links = new ArrayList<>();

    private final AtomicLong ackedReadings = new AtomicLong();
    private final AtomicLong ackedBatches = new AtomicLong();
    private final AtomicLong failureCount = new AtomicLong();
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private final Histogram latencyMicros = new ConcurrentHistogram(MAX_LATENCY_MICROS, 3);
    private volatile boolean measuring;
    private volatile boolean paused;
    private volatile boolean stopping;
    /** Total readings per second offered, 0 for as fast as the window allows; with the moment it was set. */
    private volatile Pace pace = new Pace(0, System.nanoTime());

    private record Pace(double readingsPerSecond, long fromNanos) {
    }

    public UplinkLoad(String url, List<BenchOptions.Gateway> gateways, int batchReadings, int window) {
        this(url, gateways, 1, batchReadings, window);
    }

    /** With {@code buildings} buildings' worth of devices behind each gateway ({@link Fleet}). */
    public UplinkLoad(String url, List<BenchOptions.Gateway> gateways, int buildings, int batchReadings, int window) {
        this.url = url;
        this.batchReadings = batchReadings;
        this.window = window;
        long seed = System.nanoTime();
        for (int i = 0; i < gateways.size(); i++) {
            links.add(new Link(gateways.get(i), new Fleet(gateways.get(i).id(), buildings, 0, seed + i,
                    System::currentTimeMillis)));
        }
    }

    /**
     * From now on, offers {@code readingsPerSecond} in total (spread evenly over the gateways, each
     * on its own schedule from now), or as fast as the window allows when 0.
     */
    public void offer(double readingsPerSecond) {
        if (readingsPerSecond < 0) {
            throw new IllegalArgumentException("a rate of at least 0: " + readingsPerSecond);
        }
        pace = new Pace(readingsPerSecond, System.nanoTime());
    }

    /** Connects every gateway (in parallel: the hub checks each secret with Argon2) and starts sending. */
    public void start() throws InterruptedException {
        List<Thread> connecting = new ArrayList<>();
        for (Link link : links) {
            Thread t = new Thread(link::connect, "connect-" + link.gateway.id());
            t.start();
            connecting.add(t);
        }
        for (Thread t : connecting) {
            t.join();
        }
        if (failureCount.get() > 0) {
            throw new IllegalStateException("gateways could not connect: " + String.join("; ", failures));
        }
        links.forEach(Link::startSending);
    }

    public int gatewayCount() {
        return links.size();
    }

    /** The smallest window any gateway got: ours, or the hub's Receive Maximum when lower. */
    public int effectiveWindow() {
        return links.stream().mapToInt(l -> l.allowed).min().orElse(0);
    }

    public long ackedReadings() {
        return ackedReadings.get();
    }

    long ackedBatches() {
        return ackedBatches.get();
    }

    public long failureCount() {
        return failureCount.get();
    }

    public List<String> firstFailures() {
        return failures.stream().limit(5).toList();
    }

    /** Latencies are kept only while measuring, so warm-up and drain do not colour them. */
    void measuring(boolean on) {
        measuring = on;
    }

    Histogram latencyMicros() {
        return latencyMicros;
    }

    /**
     * Stops publishing until {@link #resume} and waits until every published batch is
     * acknowledged, so that the database is left to whoever is measured next; false on timeout.
     */
    boolean pause(Duration timeout) throws InterruptedException {
        paused = true;
        return drained(timeout);
    }

    void resume() {
        paused = false;
    }

    /** Stops publishing for good, waits for the acknowledgements, disconnects; false on timeout. */
    public boolean stop(Duration timeout) throws InterruptedException {
        stopping = true;
        for (Link link : links) {
            link.sender.join(timeout.toMillis());
        }
        boolean drained = drained(timeout);
        for (Link link : links) {
            link.close();
        }
        return drained;
    }

    /** Waits until every link has all its permits back: nothing of it in flight. */
    private boolean drained(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Link link : links) {
            long left = Math.max(0, deadline - System.nanoTime());
            if (!link.permits.tryAcquire(link.allowed, left, TimeUnit.NANOSECONDS)) {
                return false;
            }
            link.permits.release(link.allowed);
        }
        return true;
    }

    /** The hub's count of readings it refused inside a stored batch, or null when it refused none. */
    private static String refused(MqttProperties props) {
        if (props == null || props.getUserProperties() == null) {
            return null;
        }
        for (UserProperty p : props.getUserProperties()) {
            if ("rejected".equals(p.getKey())) {
                return p.getValue();
            }
        }
        return null;
    }

    /**
     * When gateway {@code index} of {@code gateways} is to publish its batch number {@code sent}
     * (from 0) to offer {@code readingsPerSecond} in total from {@code fromNanos}: each gateway an
     * equal share, on a fixed schedule offset by its index so that the gateways take turns.
     */
    static long dueNanos(long fromNanos, double readingsPerSecond, int gateways, int index, int batchReadings, long sent) {
        double perGatewayBatchesPerSecond = readingsPerSecond / gateways / batchReadings;
        double offset = (double) index / gateways;
        return fromNanos + (long) ((sent + offset) / perGatewayBatchesPerSecond * 1e9);
    }

    /**
     * Where a batch's acknowledgement latency starts: open loop ({@code readingsPerSecond} > 0)
     * at the time it was due, so that a wait for room in the window counts; closed loop, when it
     * was published.
     */
    static long latencyStart(double readingsPerSecond, long dueNanos, long publishedNanos) {
        return readingsPerSecond > 0 ? dueNanos : publishedNanos;
    }

    private void fail(String what) {
        if (failureCount.incrementAndGet() <= 20) {
            failures.add(what);
        }
    }

    /** One gateway: its connection, its window and the sending thread. */
    private final class Link {
        final BenchOptions.Gateway gateway;
        final Fleet fleet;
        final String topic;
        final Thread sender;
        MqttAsyncClient client;
        Semaphore permits = new Semaphore(0);
        int allowed;
        volatile boolean closing;

        Link(BenchOptions.Gateway gateway, Fleet fleet) {
            this.gateway = gateway;
            this.fleet = fleet;
            this.topic = "uplink/v1/" + gateway.id() + "/batch";
            this.sender = new Thread(this::sendLoop, "send-" + gateway.id());
        }

        void connect() {
            try {
                client = new MqttAsyncClient(url, gateway.id(), new MemoryPersistence());
                client.setCallback(new Callback());
                MqttConnectionOptions options = new MqttConnectionOptions();
                options.setCleanStart(true);
                options.setUserName(gateway.id());
                options.setPassword(gateway.secret().getBytes(StandardCharsets.UTF_8));
                options.setKeepAliveInterval(30);
                options.setConnectionTimeout(30);
                options.setAutomaticReconnect(false);
                IMqttToken token = client.connect(options);
                token.waitForCompletion(60_000);
                MqttProperties props = token.getResponseProperties();
                Integer receiveMaximum = props == null ? null : props.getReceiveMaximum();
                allowed = Math.min(window, receiveMaximum == null ? 65535 : receiveMaximum);
                permits = new Semaphore(allowed);
            } catch (MqttException e) {
                fail(gateway.id() + " did not connect: " + e.getMessage() + " (reason 0x"
                        + Integer.toHexString(e.getReasonCode()) + ")");
            }
        }

        void startSending() {
            sender.start();
        }

        private void sendLoop() {
            try {
                Pace scheduled = null;
                long sent = 0;
                while (!stopping) {
                    if (paused) {
                        Thread.sleep(10);
                        continue;
                    }
                    Pace now = pace;
                    if (now != scheduled) {
                        scheduled = now;
                        sent = 0;
                    }
                    long due = now.readingsPerSecond() > 0 ? dueNanos(now.fromNanos(), now.readingsPerSecond(),
                            links.size(), links.indexOf(this), batchReadings, sent) : 0;
                    if (now.readingsPerSecond() > 0 && !awaitDue(due)) {
                        continue;
                    }
                    if (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        continue;
                    }
                    if (paused || stopping) {
                        permits.release();
                        continue;
                    }
                    List<BenchReading> readings = fleet.next(batchReadings);
                    sent++;
                    String batchId = UUID.randomUUID().toString();
                    if (!publish(batchId, UplinkJson.batch(gateway.id(), batchId, readings), readings.size(),
                            now.readingsPerSecond(), due)) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /**
         * Sleeps until {@code due} (this gateway's next batch under the pace, {@link #dueNanos});
         * false after at most 100 ms of waiting, so a new pace or a stop is seen. The gateways'
         * schedules are offset by their index, so they do not all publish at the same instant.
         */
        private boolean awaitDue(long due) throws InterruptedException {
            long wait = due - System.nanoTime();
            if (wait <= 0) {
                return true;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(100)));
            return wait <= TimeUnit.MILLISECONDS.toNanos(100);
        }

        /** False when this gateway cannot go on (its failure is recorded). */
        private boolean publish(String batchId, byte[] payload, int readings, double pace, long due)
                throws InterruptedException {
            MqttMessage message = new MqttMessage(payload);
            message.setQos(1);
            message.setRetained(false);
            while (true) {
                long start = latencyStart(pace, due, System.nanoTime());
                try {
                    client.publish(topic, message, null, new Acknowledged(batchId, readings, start));
                    return true;
                } catch (MqttException e) {
                    if (e.getReasonCode() == PAHO_MAX_INFLIGHT) {
                        Thread.sleep(1);
                        continue;
                    }
                    permits.release();
                    fail(gateway.id() + " could not publish batch " + batchId + ": " + e.getMessage());
                    return false;
                }
            }
        }

        void close() {
            closing = true;
            try {
                client.disconnect(5000).waitForCompletion(10_000);
            } catch (MqttException e) {
                // Measuring is over; a disconnect that fails changes no figure.
            }
            try {
                client.close(true);
            } catch (MqttException e) {
                // As above.
            }
        }

        private final class Acknowledged implements MqttActionListener {
            private final String batchId;
            private final int readings;
            private final long startNanos;

            Acknowledged(String batchId, int readings, long startNanos) {
                this.batchId = batchId;
                this.readings = readings;
                this.startNanos = startNanos;
            }

            @Override
            public void onSuccess(IMqttToken token) {
                long micros = (System.nanoTime() - startNanos) / 1000;
                try {
                    int[] codes = token.getReasonCodes();
                    int code = codes == null || codes.length == 0 ? 0 : codes[0];
                    String refused = refused(token.getResponseProperties());
                    if (code != 0) {
                        fail(gateway.id() + " batch " + batchId + ": PUBACK reason 0x" + Integer.toHexString(code));
                    } else if (refused != null) {
                        fail(gateway.id() + " batch " + batchId + ": hub refused " + refused + " readings");
                    } else {
                        ackedReadings.addAndGet(readings);
                        ackedBatches.incrementAndGet();
                        if (measuring) {
                            latencyMicros.recordValue(Math.min(micros, MAX_LATENCY_MICROS));
                        }
                    }
                } finally {
                    permits.release();
                }
            }

            @Override
            public void onFailure(IMqttToken token, Throwable cause) {
                // Paho reports a PUBACK reason of 0x80 or more here, as an MqttException carrying it.
                int code = cause instanceof MqttException me ? me.getReasonCode() : -1;
                fail(gateway.id() + " batch " + batchId + " failed: " + cause + " (reason 0x" + Integer.toHexString(code) + ")");
                permits.release();
            }
        }

        private final class Callback implements MqttCallback {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
                if (!closing) {
                    fail(gateway.id() + " disconnected by the hub: reason 0x" + Integer.toHexString(response.getReturnCode())
                            + " " + response.getReasonString());
                }
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
                fail(gateway.id() + " MQTT error: " + exception.getMessage());
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                // The v1 uplink sends nothing down; nothing is subscribed.
            }

            @Override
            public void deliveryComplete(IMqttToken token) {
                // Acknowledgements are handled per publish, in Acknowledged.
            }

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
                // Connecting is done synchronously in connect().
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
                // The uplink uses user name and password, not enhanced authentication.
            }
        }
    }
}
