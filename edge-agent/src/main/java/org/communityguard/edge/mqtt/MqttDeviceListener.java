package org.communityguard.edge.mqtt;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.communityguard.edge.device.DeviceCommands;
import org.communityguard.edge.device.DeviceIngest;
import org.communityguard.edge.device.Kind;
import org.communityguard.edge.device.Outcome;
import org.communityguard.edge.device.PayloadFormat;
import org.communityguard.edge.device.PendingCommand;
import org.communityguard.edge.device.Protocol;
import org.communityguard.edge.device.Reading;
import org.communityguard.edge.device.Rejection;
import org.communityguard.edge.device.RejectionAnswers;
import org.communityguard.edge.identity.Sender;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes device messages from the gateway's MQTT broker (Mosquitto in production) and hands them
 * to {@link DeviceIngest}; publishes rejections on {@code devices/{id}/error} and commands on
 * {@code devices/{id}/command}.
 *
 * <h2>Acknowledging only what is buffered</h2>
 * Manual acknowledgements: a QoS 1 message is PUBACKed to the broker only once the reading
 * buffer has accepted it (or it was a duplicate, or it was bad: redelivering a bad message cannot
 * make it good). Together with a persistent session (clean session off, a stable client id) this
 * means a message the agent did not take stays with the broker: queued while the agent is down,
 * redelivered after a crash.
 *
 * <h2>When the buffer is full</h2>
 * MQTT 3.1.1 redelivers an unacknowledged message only when the client reconnects; a message
 * left unacknowledged on a live connection just occupies one of the broker's in-flight slots
 * (Mosquitto: {@code max_inflight_messages}, 20) until, with all slots taken, the broker stops
 * sending altogether. So on the first {@code FULL} the listener does not wait for that: it
 * disconnects, stays away for {@code pauseWhenFull} while the broker queues for its session, then
 * reconnects and gets every unacknowledged message again, then the queue. Acknowledgements of
 * readings the buffer accepted while the disconnect was under way are not sent (see
 * "generations" below); those few come again and are dropped as copies ({@code DeviceMemory}).
 * QoS 0 messages refused while full are lost, as QoS 0 allows.
 *
 * <h2>Generations</h2>
 * Paho identifies a message to acknowledge by its packet id, which is only meaningful on the
 * connection it arrived on. Each connection attempt starts a new generation; a message
 * remembers its generation and is acknowledged only on that same connection.
 *
 * <h2>Throughput</h2>
 * Paho's max in-flight (raised here to {@value #MAX_INFLIGHT}) limits only what this client
 * publishes. Inbound, Paho hands messages to one callback thread that never blocks here (the
 * ingest returns a stage), so the limit is the broker's in-flight window for this client times
 * the buffer's acceptance latency: raise Mosquitto's {@code max_inflight_messages} if the buffer's
 * fsync is slow.
 *
 * <h2>Commands</h2>
 * Every command queued in {@link DeviceCommands} is published at QoS 1 on
 * {@code devices/{id}/command}; one queued while the broker is unreachable is published after
 * reconnecting, if still pending. When a device reports {@code online}, its pending commands are
 * published again (same ids), so a door controller that was offline during a fire alarm still
 * gets the release.
 *
 * <h2>Who sent it</h2>
 * MQTT does not tell a subscriber who published a message. The gateway's broker does know, and
 * with the accounts and access list of docs/edge-install.md a device can publish only under its
 * own {@code devices/{id}/}; so a message on a device's topic is that device's, if the broker
 * checks accounts at all. Before every connection the listener makes sure of that: it tries to
 * log in without an account. While the broker lets such a client in, nothing vouches for any
 * message, and the listener hands them in as {@link Sender#UNCHECKED}: a device that has a key
 * is then flagged {@code unverified_sender} and its alarms open no door (identity.DeviceAccess);
 * {@code edge_broker_open} is 1 and the agent logs an ERROR.
 *
 * <h2>Connecting</h2>
 * Own reconnect loop with exponential back-off (1 s doubling up to {@code maxReconnectDelay})
 * rather than Paho's automatic reconnect, because Paho retries only connections that were once
 * up: a broker that is not up yet at start, and the reconnect after a pause, need the same loop.
 * Subscriptions are made on the first connection and again whenever the broker reports no
 * session (restarted without persistence, session expired); when it still has the session they
 * are kept, which also spares a re-send of every retained status message.
 */
public final class MqttDeviceListener implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MqttDeviceListener.class);

    static final int MAX_INFLIGHT = 256;
    private static final int KEEP_ALIVE_SECONDS = 30;
    private static final int CONNECT_TIMEOUT_SECONDS = 10;
    private static final long ACTION_TIMEOUT_MS = 15_000;
    private static final long DISCONNECT_QUIESCE_MS = 500;
    private static final long FIRST_RECONNECT_DELAY_MS = 1_000;
    private static final int MAX_UNSENT_COMMANDS = 1_000;
    private static final long COMMAND_RETRY_DELAY_MS = 1_000;
    private static final String[] FILTERS = {DeviceTopics.TELEMETRY_FILTER, DeviceTopics.EVENT_FILTER, DeviceTopics.STATUS_FILTER};
    private static final int[] FILTER_QOS = {1, 1, 1};
    private static final long PROBE_TIMEOUT_MS = 10_000;

    /**
     * @param brokerUrl         e.g. {@code tcp://127.0.0.1:1883}
     * @param clientId          stable across restarts: the broker keeps the session under it
     * @param username          null for an anonymous broker
     * @param password          null for an anonymous broker
     * @param pauseWhenFull     how long to stay disconnected after the buffer said FULL
     * @param maxReconnectDelay the back-off ceiling between connection attempts
     */
    public record Settings(String brokerUrl, String clientId, String username, String password,
                           Duration pauseWhenFull, Duration maxReconnectDelay) {
        public Settings {
            Objects.requireNonNull(brokerUrl, "brokerUrl");
            if (clientId == null || clientId.isEmpty()) {
                throw new IllegalArgumentException("a persistent session needs a client id");
            }
            if (pauseWhenFull.isNegative() || pauseWhenFull.isZero()) {
                throw new IllegalArgumentException("pauseWhenFull must be positive: " + pauseWhenFull);
            }
            if (maxReconnectDelay.toMillis() < FIRST_RECONNECT_DELAY_MS) {
                throw new IllegalArgumentException("maxReconnectDelay must be at least 1 s: " + maxReconnectDelay);
            }
        }

        /** Anonymous, 30 s pause when full, reconnect back-off up to 60 s. */
        public static Settings of(String brokerUrl, String clientId) {
            return new Settings(brokerUrl, clientId, null, null, Duration.ofSeconds(30), Duration.ofSeconds(60));
        }

        @Override
        public String toString() {
            return "Settings[brokerUrl=" + brokerUrl + ", clientId=" + clientId + ", username=" + username
                    + ", password=" + (password == null ? "none" : "***") + ", pauseWhenFull=" + pauseWhenFull
                    + ", maxReconnectDelay=" + maxReconnectDelay + "]";
        }
    }

    private final Settings settings;
    private final Predicate<String> vouchesForEvent;
    private final DeviceIngest ingest;
    private final RejectionAnswers answers;
    private final DeviceCommands commands;
    private final MqttAsyncClient client;
    private final MqttConnectOptions options;
    private final ScheduledExecutorService connector;
    private final AtomicInteger generation = new AtomicInteger();
    private final AtomicBoolean pausing = new AtomicBoolean();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final BlockingQueue<PendingCommand> unsentCommands = new LinkedBlockingQueue<>(MAX_UNSENT_COMMANDS);
    private final Counter fullPauses;
    private final DeviceCommands.Listener commandListener = new DeviceCommands.Listener() {
        @Override
        public void queued(PendingCommand command) {
            publishCommand(command);
        }
    };
    private volatile boolean closed;
    /** Whether the broker lets clients in without an account; until the first probe, assumed so. */
    private volatile boolean brokerOpen = true;
    // Touched by the connector thread only.
    private boolean probedOnce;
    private boolean subscribedOnce;
    /** Connected and subscribed: from here on the broker keeps the devices' messages for this agent. */
    private volatile boolean listening;
    private int failedAttempts;

    public MqttDeviceListener(Settings settings, DeviceIngest ingest, DeviceCommands commands, MeterRegistry registry) {
        this(settings, ingest, commands, registry, topic -> true);
    }

    /**
     * @param vouchesForEvent whether the broker published an event on this topic because a client
     *                        published it through the access list, not as a client's will: the
     *                        embedded broker's {@code BrokerAccounts}; Mosquitto checks wills itself
     */
    public MqttDeviceListener(Settings settings, DeviceIngest ingest, DeviceCommands commands, MeterRegistry registry,
                              Predicate<String> vouchesForEvent) {
        this.settings = settings;
        this.vouchesForEvent = vouchesForEvent;
        this.ingest = ingest;
        this.answers = ingest.answers();
        this.commands = commands;
        try {
            // In-memory persistence: Paho's default writes files into the working directory.
            this.client = new MqttAsyncClient(settings.brokerUrl(), settings.clientId(), new MemoryPersistence());
        } catch (MqttException | IllegalArgumentException e) {
            throw new IllegalArgumentException("bad MQTT broker URL or client id: " + settings + ": " + e.getMessage(), e);
        }
        client.setManualAcks(true);
        client.setCallback(new Callback());
        this.options = new MqttConnectOptions();
        options.setCleanSession(false);
        options.setAutomaticReconnect(false);
        options.setKeepAliveInterval(KEEP_ALIVE_SECONDS);
        options.setConnectionTimeout(CONNECT_TIMEOUT_SECONDS);
        options.setMaxInflight(MAX_INFLIGHT);
        if (settings.brokerUrl().startsWith("tcp://")) {
            options.setSocketFactory(new BufferedInputSockets());
        }
        if (settings.username() != null) {
            options.setUserName(settings.username());
        }
        if (settings.password() != null) {
            options.setPassword(settings.password().toCharArray());
        }
        this.connector = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "mqtt-device-connector");
            thread.setDaemon(true);
            return thread;
        });
        this.fullPauses = Counter.builder("edge_mqtt_full_pauses_total")
                .description("Times the device MQTT listener disconnected because the reading buffer was full")
                .register(registry);
        Gauge.builder("edge_mqtt_connected", client, c -> c.isConnected() ? 1 : 0)
                .description("1 while the device MQTT listener is connected to the gateway broker")
                .register(registry);
        Gauge.builder("edge_broker_open", this, l -> l.brokerOpen ? 1 : 0)
                .description("1 while the gateway broker lets clients in without an account: then no MQTT message is taken as its device's")
                .register(registry);
    }

    /** Connects in the background and keeps reconnecting until {@link #close()}; returns at once. */
    public void start() {
        commands.addListener(commandListener);
        schedule(0);
    }

    public boolean isConnected() {
        return client.isConnected();
    }

    /**
     * Connected and subscribed (the subscription confirmed, or a session resumed that has one):
     * a device's message published before this, to a broker that never saw this agent's session,
     * reaches no one.
     */
    public boolean isListening() {
        return listening && client.isConnected();
    }

    /** Whether the broker let in a client without an account at the last check (before every connection). */
    public boolean brokerOpen() {
        return brokerOpen;
    }

    /**
     * Publishes a command on {@code devices/{id}/command} at QoS 1. {@link DeviceCommands#send}
     * calls this through its listener; call it directly only to resend. While disconnected the
     * command is kept (up to {@value #MAX_UNSENT_COMMANDS}) and published after reconnecting if
     * it is still pending then.
     *
     * @return true when handed to the client now, false when kept for later or dropped
     */
    public boolean publishCommand(PendingCommand command) {
        if (!DeviceTopics.usableLevel(command.deviceId())) {
            return false;
        }
        if (client.isConnected()) {
            try {
                client.publish(DeviceTopics.command(command.deviceId()),
                        ingest.codec().encode(PayloadFormat.JSON, command.body()), 1, false);
                return true;
            } catch (MqttException e) {
                // Typically Paho's in-flight window is full during a burst (a fire alarm commands
                // every door and lamp at once): try again shortly, and after any reconnect.
                LOG.warn("could not publish command {} to device {} now ({}); retrying", command.id(), command.deviceId(), e.getMessage());
                scheduleFlush();
            }
        }
        if (!unsentCommands.offer(command)) {
            LOG.error("{} commands waiting for the device broker: dropped command {} {} for device {}",
                    MAX_UNSENT_COMMANDS, command.cmd(), command.id(), command.deviceId());
        }
        return false;
    }

    @Override
    public void close() {
        closed = true;
        commands.removeListener(commandListener);
        connector.shutdownNow();
        try {
            connector.awaitTermination(ACTION_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        disconnectQuietly();
        try {
            client.close();
        } catch (MqttException e) {
            LOG.debug("closing the MQTT client", e);
        }
    }

    private void schedule(long delayMs) {
        if (closed) {
            return;
        }
        try {
            connector.schedule(this::connect, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Closing.
        }
    }

    /** On the connector thread. */
    private void connect() {
        if (closed || pausing.get() || client.isConnected()) {
            return;
        }
        // Before CONNECT, as the generation: messages of the new session may arrive before connect() returns.
        probeBroker();
        generation.incrementAndGet();
        try {
            IMqttToken token = client.connect(options);
            token.waitForCompletion(ACTION_TIMEOUT_MS);
            boolean sessionPresent = token.getSessionPresent();
            if (!subscribedOnce || !sessionPresent) {
                subscribe();
            }
            failedAttempts = 0;
            listening = true;
            LOG.info("connected to the device broker {} as {} (session {})", settings.brokerUrl(), settings.clientId(),
                    sessionPresent ? "resumed" : "new");
            flushUnsentCommands();
        } catch (MqttException e) {
            long delay = Math.min(settings.maxReconnectDelay().toMillis(), FIRST_RECONNECT_DELAY_MS << Math.min(failedAttempts, 16));
            failedAttempts++;
            LOG.warn("cannot connect to the device broker {} ({}); retrying in {} ms", settings.brokerUrl(), e.getMessage(), delay);
            if (client.isConnected()) {
                disconnectQuietly();
            }
            schedule(delay);
        }
    }

    /**
     * On the connector thread: logs in without an account, as a stranger would. Refused (0x04,
     * 0x05, or hung up on after the CONNECT, as Moquette does right after its CONNACK): the broker
     * checks accounts. Let in: it does not. Anything else (the broker is not up) says nothing, and
     * what the last check found stands.
     */
    private void probeBroker() {
        boolean open;
        try (MqttAsyncClient stranger = new MqttAsyncClient(settings.brokerUrl(),
                "edge-probe-" + Long.toHexString(System.nanoTime()), new MemoryPersistence())) {
            MqttConnectOptions anonymous = new MqttConnectOptions();
            anonymous.setCleanSession(true);
            anonymous.setConnectionTimeout(CONNECT_TIMEOUT_SECONDS);
            // 3.1.1 only: Paho's default retries a refused login as MQTT 3.1, whose 23-character limit
            // on client ids Moquette enforces with an ERROR and a stack trace in the agent's log.
            anonymous.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            try {
                stranger.connect(anonymous).waitForCompletion(PROBE_TIMEOUT_MS);
                open = stranger.isConnected();
                stranger.disconnect().waitForCompletion(PROBE_TIMEOUT_MS);
            } catch (MqttException e) {
                if (e.getReasonCode() != MqttException.REASON_CODE_FAILED_AUTHENTICATION
                        && e.getReasonCode() != MqttException.REASON_CODE_NOT_AUTHORIZED
                        && e.getReasonCode() != MqttException.REASON_CODE_CONNECTION_LOST) {
                    LOG.debug("could not check whether the device broker takes clients without an account: {}", e.getMessage());
                    return;
                }
                open = false;
            }
        } catch (MqttException | IllegalArgumentException e) {
            LOG.debug("could not check the device broker: {}", e.getMessage());
            return;
        }
        if (open && (!brokerOpen || !probedOnce)) {
            LOG.error("the device broker {} lets clients in without an account: anyone on its network can publish as any"
                    + " device, so MQTT messages of devices with a key are flagged unverified_sender and their alarms"
                    + " open no door. Set allow_anonymous false with the accounts of docs/edge-install.md", settings.brokerUrl());
        } else if (!open && brokerOpen) {
            LOG.info("the device broker {} refuses clients without an account", settings.brokerUrl());
        }
        brokerOpen = open;
        probedOnce = true;
    }

    private void subscribe() throws MqttException {
        IMqttToken token = client.subscribe(FILTERS, FILTER_QOS);
        token.waitForCompletion(ACTION_TIMEOUT_MS);
        for (int granted : token.getGrantedQos()) {
            if (granted == 0x80) {
                throw new MqttException(MqttException.REASON_CODE_SUBSCRIBE_FAILED);
            }
        }
        subscribedOnce = true;
    }

    private void scheduleFlush() {
        if (closed || !flushScheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            connector.schedule(() -> {
                flushScheduled.set(false);
                flushUnsentCommands();
            }, COMMAND_RETRY_DELAY_MS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Closing.
        }
    }

    /** On the connector thread: after connecting, and shortly after a publish failed. */
    private void flushUnsentCommands() {
        PendingCommand command;
        int count = unsentCommands.size();
        while (count-- > 0 && (command = unsentCommands.poll()) != null) {
            if (commands.isPending(command.deviceId(), command.id())) {
                publishCommand(command);
            }
        }
    }

    private void pauseForFull() {
        if (closed || !pausing.compareAndSet(false, true)) {
            return;
        }
        fullPauses.increment();
        try {
            connector.execute(() -> {
                LOG.warn("reading buffer full: leaving the device broker for {} ms so it keeps unacknowledged messages for redelivery",
                        settings.pauseWhenFull().toMillis());
                disconnectQuietly();
                connector.schedule(() -> {
                    pausing.set(false);
                    connect();
                }, settings.pauseWhenFull().toMillis(), TimeUnit.MILLISECONDS);
            });
        } catch (RejectedExecutionException e) {
            // Closing.
        }
    }

    private void disconnectQuietly() {
        if (!client.isConnected()) {
            return;
        }
        try {
            client.disconnect(DISCONNECT_QUIESCE_MS).waitForCompletion(ACTION_TIMEOUT_MS);
        } catch (MqttException e) {
            try {
                client.disconnectForcibly(0, DISCONNECT_QUIESCE_MS, false);
            } catch (MqttException again) {
                LOG.debug("forced disconnect failed", again);
            }
        }
    }

    private void acknowledge(int messageGeneration, MqttMessage message) {
        if (message.getQos() == 0 || messageGeneration != generation.get() || !client.isConnected()) {
            return;
        }
        try {
            client.messageArrivedComplete(message.getId(), message.getQos());
        } catch (MqttException | RuntimeException e) {
            // Lost with the connection; the broker redelivers.
            LOG.debug("could not acknowledge message {}", message.getId(), e);
        }
    }

    private void publishError(String deviceId, byte[] body) {
        if (!DeviceTopics.usableLevel(deviceId) || !client.isConnected()) {
            return;
        }
        try {
            client.publish(DeviceTopics.error(deviceId), body, 0, false);
        } catch (MqttException | RuntimeException e) {
            LOG.debug("could not publish an error to device {}", deviceId, e);
        }
    }

    private void answer(int messageGeneration, MqttMessage message, String deviceId, Outcome outcome, Throwable failure) {
        if (failure != null) {
            // The ingest does not fail; if it ever did, keeping the message is the safe side.
            LOG.error("ingest failed for a message of device {}", deviceId, failure);
            pauseForFull();
            return;
        }
        if (outcome instanceof Outcome.Rejected rejected) {
            RejectionAnswers.MqttAnswer answer = answers.mqtt(rejected.rejection());
            if (answer.publishError()) {
                publishError(deviceId, answer.errorBody());
            }
            if (answer.acknowledge()) {
                acknowledge(messageGeneration, message);
            } else {
                pauseForFull();
            }
            return;
        }
        acknowledge(messageGeneration, message);
        Reading reading = outcome instanceof Outcome.Accepted accepted ? accepted.reading()
                : outcome instanceof Outcome.Duplicate duplicate ? duplicate.reading() : null;
        if (reading != null && reading.kind() == Kind.STATUS && "online".equals(reading.data().path("status").textValue())) {
            // A device back online may have missed commands published while it was away (its
            // session, if any, may be gone): send what it has not acknowledged yet, same ids.
            for (PendingCommand command : commands.pending(deviceId)) {
                publishCommand(command);
            }
        }
    }

    private final class Callback implements MqttCallback {

        /** On Paho's callback thread; must neither block nor throw (Paho would drop the connection). */
        @Override
        public void messageArrived(String topic, MqttMessage message) {
            int messageGeneration = generation.get();
            try {
                DeviceTopics.Route route = DeviceTopics.route(topic);
                if (route == null) {
                    // Not one of our filters; nothing to do but let the broker forget it.
                    acknowledge(messageGeneration, message);
                    return;
                }
                if (route.kind() == Kind.STATUS && message.getPayload().length == 0) {
                    // An empty publish on a status topic deletes the retained status at the broker
                    // (a device being decommissioned); it says nothing about the device.
                    acknowledge(messageGeneration, message);
                    return;
                }
                PayloadFormat format = route.kind() == Kind.STATUS ? PayloadFormat.TEXT : PayloadFormat.JSON;
                // The broker's access list lets only the device itself publish under its topics.
                Sender sender = brokerOpen ? Sender.UNCHECKED
                        : route.kind() == Kind.EVENT && !vouchesForEvent.test(topic) ? Sender.WILL
                        : Sender.proven(route.deviceId());
                ingest.ingest(Protocol.MQTT, sender, route.kind(), route.deviceId(), format, message.getPayload())
                        .whenComplete((outcome, failure) -> answer(messageGeneration, message, route.deviceId(), outcome, failure));
            } catch (RuntimeException e) {
                LOG.error("failed to hand over a message on {}", topic, e);
                answer(messageGeneration, message, "", new Outcome.Rejected(Rejection.OVERLOADED), null);
            }
        }

        @Override
        public void connectionLost(Throwable cause) {
            listening = false;
            if (closed || pausing.get()) {
                return;
            }
            LOG.warn("lost the connection to the device broker {}: {}", settings.brokerUrl(),
                    cause == null ? "unknown cause" : cause.getMessage());
            schedule(FIRST_RECONNECT_DELAY_MS);
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
            // Commands are QoS 1; Paho resends unconfirmed ones itself after a reconnect.
        }
    }
}
