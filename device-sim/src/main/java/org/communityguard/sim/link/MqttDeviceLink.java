package org.communityguard.sim.link;

import org.communityguard.sim.device.Message;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A mains-powered device's MQTT 3.1.1 connection (Paho v3), one client id per device (the device
 * id). On connect it publishes {@code online} retained on {@code devices/{id}/status}, whose Last
 * Will is {@code offline}, and subscribes to its command and error topics. Telemetry and events
 * go out at QoS 1; a message counts as acknowledged when the broker's PUBACK arrives.
 *
 * <p>Clean session and in-memory persistence: a message in flight when the connection drops ends
 * as failed instead of being replayed later, so the ledger stays the simple truth of what the
 * broker confirmed. After the first successful connect Paho reconnects by itself; until then this
 * class retries with a capped back-off.
 */
public final class MqttDeviceLink implements DeviceLink {

    private static final Logger log = LoggerFactory.getLogger(MqttDeviceLink.class);

    private static final int QOS = 1;
    private static final long FIRST_RETRY_MS = 1_000;
    private static final long MAX_RETRY_MS = 10_000;
    private static final byte[] ONLINE = "online".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OFFLINE = "offline".getBytes(StandardCharsets.UTF_8);

    private final String deviceId;
    private final ScheduledExecutorService scheduler;
    private final Duration ackTimeout;
    private final MqttAsyncClient client;
    private final String password;
    private final String statusTopic;
    private final String commandTopic;
    private final String errorTopic;
    private volatile Downlink downlink;
    /** Whether the device wants to be online: set by open, cleared by dropOff and close. */
    private volatile boolean wanted;
    private volatile boolean closed;
    /** Connected and subscribed to commands: only then can the device be told anything. */
    private volatile boolean ready;
    private volatile long retryMs = FIRST_RETRY_MS;

    /** A device without an account: it connects anonymously. */
    public MqttDeviceLink(String brokerUrl, String deviceId, ScheduledExecutorService scheduler, Duration ackTimeout) {
        this(brokerUrl, deviceId, null, scheduler, ackTimeout);
    }

    /**
     * @param brokerUrl  e.g. {@code tcp://127.0.0.1:1883}
     * @param password   the device's broker password (user name = device id), or null for none
     * @param ackTimeout how long a message may wait for its PUBACK before it counts as failed
     */
    public MqttDeviceLink(String brokerUrl, String deviceId, String password, ScheduledExecutorService scheduler,
                          Duration ackTimeout) {
        this.deviceId = deviceId;
        this.password = password;
        this.scheduler = scheduler;
        this.ackTimeout = ackTimeout;
        this.statusTopic = "devices/" + deviceId + "/status";
        this.commandTopic = "devices/" + deviceId + "/command";
        this.errorTopic = "devices/" + deviceId + "/error";
        try {
            this.client = new MqttAsyncClient(brokerUrl, deviceId, new MemoryPersistence());
        } catch (MqttException | IllegalArgumentException e) {
            throw new IllegalArgumentException("MQTT broker URL '" + brokerUrl + "': " + e.getMessage(), e);
        }
        client.setCallback(new Callback());
    }

    @Override
    public void open(Downlink downlink) {
        this.downlink = downlink;
        wanted = true;
        connect();
    }

    /** Connected, {@code online} published and the command subscription confirmed. */
    @Override
    public boolean isConnected() {
        return ready && client.isConnected();
    }

    @Override
    public CompletableFuture<Outcome> send(Message message) {
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        if (!client.isConnected()) {
            outcome.complete(Outcome.failed("not connected"));
            return outcome;
        }
        String topic = "devices/" + deviceId + (message.kind() == Message.Kind.TELEMETRY ? "/telemetry" : "/event");
        try {
            client.publish(topic, Payloads.json(message), QOS, false, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    outcome.complete(Outcome.acknowledged());
                }

                @Override
                public void onFailure(IMqttToken token, Throwable error) {
                    outcome.complete(Outcome.failed(describe(error)));
                }
            });
        } catch (MqttException e) {
            outcome.complete(Outcome.failed(describe(e)));
        }
        return outcome.completeOnTimeout(Outcome.failed("no PUBACK within " + ackTimeout.toSeconds() + " s"),
                ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void dropOff() {
        wanted = false;
        ready = false;
        try {
            // No DISCONNECT packet: to the broker this is a dead device, so it publishes the will.
            client.disconnectForcibly(0, 1_000, false);
        } catch (MqttException e) {
            log.debug("{}: dropping the connection: {}", deviceId, describe(e));
        }
    }

    @Override
    public void close() {
        closed = true;
        wanted = false;
        ready = false;
        try {
            if (client.isConnected()) {
                client.publish(statusTopic, OFFLINE, QOS, true).waitForCompletion(2_000);
                client.disconnect(1_000).waitForCompletion(2_000);
            }
        } catch (MqttException e) {
            log.debug("{}: clean disconnect failed: {}", deviceId, describe(e));
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            log.debug("{}: closing the client: {}", deviceId, describe(e));
        }
    }

    private void connect() {
        if (!wanted || closed) {
            return;
        }
        try {
            client.connect(options(), null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    retryMs = FIRST_RETRY_MS;
                }

                @Override
                public void onFailure(IMqttToken token, Throwable error) {
                    retryLater(error);
                }
            });
        } catch (MqttException e) {
            if (e.getReasonCode() != MqttException.REASON_CODE_CLIENT_CONNECTED
                    && e.getReasonCode() != MqttException.REASON_CODE_CONNECT_IN_PROGRESS) {
                retryLater(e);
            }
        }
    }

    private void retryLater(Throwable error) {
        if (!wanted || closed) {
            return;
        }
        if (retryMs == FIRST_RETRY_MS) {
            log.info("{}: cannot connect to {}: {}; retrying", deviceId, client.getServerURI(), describe(error));
        } else {
            log.debug("{}: still cannot connect: {}", deviceId, describe(error));
        }
        long delay = retryMs;
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
        scheduler.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    private MqttConnectOptions options() {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setAutomaticReconnect(true);
        options.setMaxReconnectDelay((int) MAX_RETRY_MS);
        options.setKeepAliveInterval(30);
        options.setConnectionTimeout(10);
        // Scenarios send bursts (a brute-force run, acks of a command array); Paho's default of 10
        // in-flight messages would refuse some of them.
        options.setMaxInflight(200);
        options.setWill(statusTopic, OFFLINE, QOS, true);
        if (password != null) {
            // The gateway's broker knows the device by its id; the access list lets it publish only as itself.
            options.setUserName(deviceId);
            options.setPassword(password.toCharArray());
        }
        return options;
    }

    private static String describe(Throwable error) {
        if (error instanceof MqttException e && e.getCause() != null) {
            return e.getMessage() + " (" + e.getCause().getMessage() + ")";
        }
        return String.valueOf(error.getMessage());
    }

    private final class Callback implements MqttCallbackExtended {
        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
            log.debug("{}: connected to {}{}", deviceId, serverUri, reconnect ? " again" : "");
            try {
                client.publish(statusTopic, ONLINE, QOS, true);
                // Clean session: the subscriptions are gone after every reconnect.
                client.subscribe(new String[] {commandTopic, errorTopic}, new int[] {QOS, 0}, null,
                        new IMqttActionListener() {
                            @Override
                            public void onSuccess(IMqttToken token) {
                                ready = true;
                            }

                            @Override
                            public void onFailure(IMqttToken token, Throwable error) {
                                log.warn("{}: subscribing to {} failed: {}", deviceId, commandTopic, describe(error));
                            }
                        });
            } catch (MqttException e) {
                log.warn("{}: announcing after connect failed: {}", deviceId, describe(e));
            }
        }

        @Override
        public void connectionLost(Throwable cause) {
            ready = false;
            if (wanted) {
                log.info("{}: connection lost ({}); reconnecting", deviceId, describe(cause));
            }
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            // An exception thrown here would make Paho drop the connection: never let one out.
            try {
                Downlink target = downlink;
                if (target == null) {
                    return;
                }
                if (topic.equals(commandTopic)) {
                    target.commands(message.getPayload(), false);
                } else if (topic.equals(errorTopic)) {
                    target.gatewayError(message.getPayload());
                }
            } catch (RuntimeException e) {
                log.warn("{}: handling a message on {} failed", deviceId, topic, e);
            }
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
            // Outcomes are tracked per publish by its action listener.
        }
    }
}
