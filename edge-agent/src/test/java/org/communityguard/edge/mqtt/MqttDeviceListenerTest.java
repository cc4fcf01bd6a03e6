package org.communityguard.edge.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.communityguard.edge.device.DeviceCommand;
import org.communityguard.edge.device.DeviceCommands;
import org.communityguard.edge.device.DeviceIngest;
import org.communityguard.edge.device.DeviceType;
import org.communityguard.edge.device.Flag;
import org.communityguard.edge.device.Kind;
import org.communityguard.edge.device.PendingCommand;
import org.communityguard.edge.device.Provisioning;
import org.communityguard.edge.device.Reading;
import org.communityguard.edge.device.TestSink;
import org.communityguard.testkit.Mosquitto;
import org.communityguard.testkit.RealServers;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The listener against a real Mosquitto, with Paho clients publishing like devices do. */
@ExtendWith(RealServers.class)
class MqttDeviceListenerTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String lamp = "lamp-" + run;
    private final String door = "door-" + run;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TestSink sink = new TestSink();
    private final ObjectMapper json = new ObjectMapper();
    private final DeviceCommands commands = new DeviceCommands(8, Duration.ofMinutes(10), Clock.systemUTC(), registry);
    private final DeviceIngest ingest = new DeviceIngest(sink, Provisioning.of(Map.of(door, DeviceType.DOOR_ACCESS)), commands,
            registry, Clock.systemUTC(), DeviceIngest.Settings.defaults());
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private MqttDeviceListener listener(Mosquitto mosquitto, Duration pauseWhenFull) {
        MqttDeviceListener.Settings settings = new MqttDeviceListener.Settings(mosquitto.tcpUrl(), "edge-" + run, null, null,
                pauseWhenFull, Duration.ofSeconds(2));
        MqttDeviceListener listener = new MqttDeviceListener(settings, ingest, commands, registry);
        toClose.add(listener);
        return listener;
    }

    private MqttDeviceListener started(Mosquitto mosquitto) {
        MqttDeviceListener listener = listener(mosquitto, Duration.ofSeconds(30));
        listener.start();
        await().atMost(WAIT).until(listener::isConnected);
        return listener;
    }

    private MqttClient device(Mosquitto mosquitto, String id) throws MqttException {
        MqttClient client = new MqttClient(mosquitto.tcpUrl(), "device-" + id + "-" + UUID.randomUUID(), new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        // Paho frees an in-flight slot after it wakes the publisher, so back-to-back synchronous
        // publishes can hit its default limit of 10 ("Too many publishes in progress").
        options.setMaxInflight(1000);
        client.connect(options);
        toClose.add(() -> {
            if (client.isConnected()) {
                client.disconnect();
            }
            client.close();
        });
        return client;
    }

    private static void publish(MqttClient device, String topic, String payload, int qos, boolean retained) throws MqttException {
        device.publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos, retained);
    }

    private BlockingQueue<JsonNode> subscribe(MqttClient device, String topic) throws MqttException {
        BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
        device.subscribe(topic, 1, (t, message) -> received.add(json.readTree(message.getPayload())));
        return received;
    }

    private static String lampTelemetry(long seq) {
        return "{\"v\":1,\"type\":\"lamp_post\",\"seq\":" + seq + ",\"data\":{\"lamp_on\":true,\"dim_pct\":80,\"leakage_ma\":1.2}}";
    }

    @Test
    void telemetryEventAndStatusAreAccepted(Mosquitto mosquitto) throws Exception {
        started(mosquitto);
        MqttClient device = device(mosquitto, lamp);

        publish(device, "devices/" + lamp + "/telemetry", lampTelemetry(1), 1, false);
        await().atMost(WAIT).until(() -> sink.accepted().size() == 1);
        publish(device, "devices/" + lamp + "/event", "{\"v\":1,\"type\":\"lamp_post\",\"seq\":2,\"data\":{\"event\":\"tamper\"}}", 1, false);
        publish(device, "devices/" + lamp + "/status", "online", 1, true);
        toClose.add(() -> clearRetained(mosquitto, "devices/" + lamp + "/status"));
        await().atMost(WAIT).until(() -> sink.accepted().size() == 3);

        List<Reading> readings = sink.accepted();
        assertThat(readings).extracting(Reading::kind).containsExactly(Kind.TELEMETRY, Kind.EVENT, Kind.STATUS);
        assertThat(readings).extracting(Reading::deviceId).containsOnly(lamp);
        assertThat(readings.get(0).data().path("dim_pct").intValue()).isEqualTo(80);
        assertThat(readings.get(0).flags()).containsExactly(Flag.UNPROVISIONED);
        assertThat(readings.get(1).isSafetyEvent()).isTrue();
        assertThat(readings.get(2).type()).as("status typed by the earlier telemetry").isEqualTo(DeviceType.LAMP_POST);
        assertThat(readings.get(2).data().path("status").textValue()).isEqualTo("online");
        assertThat(registry.get("edge_readings_received_total").tag("protocol", "mqtt").counter().count()).isEqualTo(3.0);
    }

    @Test
    void qos0TelemetryIsAcceptedToo(Mosquitto mosquitto) throws Exception {
        started(mosquitto);
        publish(device(mosquitto, lamp), "devices/" + lamp + "/telemetry", lampTelemetry(5), 0, false);
        await().atMost(WAIT).until(() -> sink.accepted().size() == 1);
        assertThat(sink.accepted().get(0).seq()).isEqualTo(5L);
    }

    @Test
    void badMessageIsAnsweredOnTheErrorTopic(Mosquitto mosquitto) throws Exception {
        started(mosquitto);
        MqttClient device = device(mosquitto, door);
        BlockingQueue<JsonNode> errors = subscribe(device, "devices/" + door + "/error");

        publish(device, "devices/" + door + "/event", "{\"v\":1,\"type\":\"door_access\",\"data\":{\"event\":\"access\",\"result\":\"maybe\"}}", 1, false);
        JsonNode error = errors.poll(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(error).isNotNull();
        assertThat(error.path("error").textValue()).isEqualTo("bad_field");
        assertThat(error.path("detail").textValue()).isEqualTo("data.result: \"maybe\" is not one of denied/granted");
        assertThat(sink.offered()).isEmpty();

        publish(device, "devices/" + door + "/telemetry", "{\"v\":1,\"type\":\"manhole\",\"data\":{}}", 1, false);
        JsonNode mismatch = errors.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(mismatch.path("error").textValue()).isEqualTo("type_mismatch");

        publish(device, "devices/" + door + "/telemetry", "not json at all", 1, false);
        assertThat(errors.poll(WAIT.toSeconds(), TimeUnit.SECONDS).path("error").textValue()).isEqualTo("malformed");

        publish(device, "devices/" + door + "/status", "sleeping", 1, false);
        assertThat(errors.poll(WAIT.toSeconds(), TimeUnit.SECONDS).path("error").textValue()).isEqualTo("malformed");
        assertThat(registry.get("edge_readings_rejected_total").tag("reason", "malformed").counter().count()).isEqualTo(2.0);

        publish(device, "devices/" + door + "/telemetry", "{\"v\":1,\"type\":\"door_access\",\"data\":{\"note\":\"\\ud800\"}}", 1, false);
        JsonNode badText = errors.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(badText).as("an error for the unpaired surrogate").isNotNull();
        assertThat(badText.path("error").textValue()).isEqualTo("bad_text");
        assertThat(badText.path("detail").textValue()).isEqualTo("data.note holds an unpaired surrogate (U+D800)");
        assertThat(sink.offered()).isEmpty();
    }

    @Test
    void emptyStatusThatDeletesARetainedStatusIsNoDeviceMessage(Mosquitto mosquitto) throws Exception {
        started(mosquitto);
        MqttClient device = device(mosquitto, lamp);
        BlockingQueue<JsonNode> errors = subscribe(device, "devices/" + lamp + "/error");

        publish(device, "devices/" + lamp + "/status", "", 1, true);
        publish(device, "devices/" + lamp + "/status", "sleeping", 1, false);

        // The first error is about "sleeping": the empty status was neither an error nor a reading.
        JsonNode error = errors.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(error.path("detail").textValue()).isEqualTo("status must be the text online or offline");
        assertThat(registry.get("edge_readings_received_total").tag("protocol", "mqtt").counter().count()).isEqualTo(1.0);
        assertThat(sink.offered()).isEmpty();
    }

    @Test
    void messagesRefusedWhileTheBufferIsFullAreRedeliveredNotLost(Mosquitto mosquitto) throws Exception {
        MqttDeviceListener listener = listener(mosquitto, Duration.ofMillis(500));
        listener.start();
        await().atMost(WAIT).until(listener::isConnected);
        MqttClient device = device(mosquitto, lamp);

        sink.mode(TestSink.Mode.FULL);
        publish(device, "devices/" + lamp + "/telemetry", lampTelemetry(1), 1, false);
        await().atMost(WAIT).until(() -> !sink.offered().isEmpty());
        assertThat(sink.accepted()).isEmpty();
        await().atMost(WAIT).until(() -> registry.get("edge_mqtt_full_pauses_total").counter().count() >= 1);
        // Published while the agent is away: the broker queues them for its session.
        for (long seq = 2; seq <= 20; seq++) {
            publish(device, "devices/" + lamp + "/telemetry", lampTelemetry(seq), 1, false);
        }

        sink.mode(TestSink.Mode.ACCEPT);
        await().atMost(WAIT).until(() -> sink.accepted().size() >= 20);
        assertThat(sink.accepted()).extracting(Reading::seq).containsExactlyInAnyOrderElementsOf(
                java.util.stream.LongStream.rangeClosed(1, 20).boxed().toList());
        await().atMost(WAIT).until(listener::isConnected);
    }

    @Test
    void acknowledgedMessagesAreNotDeliveredAgainToTheNextListener(Mosquitto mosquitto) throws Exception {
        MqttDeviceListener first = started(mosquitto);
        MqttClient device = device(mosquitto, lamp);
        publish(device, "devices/" + lamp + "/telemetry", lampTelemetry(1), 1, false);
        await().atMost(WAIT).until(() -> sink.accepted().size() == 1);
        first.close();

        // Same client id, persistent session: only what arrived while away is delivered.
        publish(device, "devices/" + lamp + "/telemetry", lampTelemetry(2), 1, false);
        MqttDeviceListener second = listener(mosquitto, Duration.ofSeconds(30));
        second.start();
        await().atMost(WAIT).until(() -> sink.offered().size() == 2);
        publish(device, "devices/" + lamp + "/telemetry", lampTelemetry(3), 1, false);
        await().atMost(WAIT).until(() -> sink.offered().size() == 3);
        assertThat(sink.offered()).extracting(Reading::seq).containsExactly(1L, 2L, 3L);
    }

    @Test
    void commandReachesTheDevice(Mosquitto mosquitto) throws Exception {
        started(mosquitto);
        BlockingQueue<JsonNode> received = subscribe(device(mosquitto, door), "devices/" + door + "/command");

        PendingCommand command = commands.send(door, new DeviceCommand.Door(DeviceCommand.Door.Action.RELEASE));

        JsonNode body = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(body).isEqualTo(json.readTree("{\"cmd\":\"door\",\"action\":\"release\",\"id\":\"" + command.id() + "\"}"));
    }

    @Test
    void commandAckOverMqttClearsThePendingCommand(Mosquitto mosquitto) throws Exception {
        started(mosquitto);
        MqttClient device = device(mosquitto, door);
        BlockingQueue<JsonNode> received = subscribe(device, "devices/" + door + "/command");
        commands.send(door, new DeviceCommand.Door(DeviceCommand.Door.Action.LOCK));
        String id = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS).path("id").textValue();

        publish(device, "devices/" + door + "/event",
                "{\"v\":1,\"type\":\"door_access\",\"data\":{\"event\":\"command_ack\",\"id\":\"" + id + "\"}}", 1, false);

        await().atMost(WAIT).until(() -> commands.pending(door).isEmpty());
    }

    @Test
    void commandPublishedWhileDisconnectedIsSentAfterConnecting(Mosquitto mosquitto) throws Exception {
        BlockingQueue<JsonNode> received = subscribe(device(mosquitto, lamp), "devices/" + lamp + "/command");
        MqttDeviceListener listener = listener(mosquitto, Duration.ofSeconds(30));
        PendingCommand command = commands.send(lamp, new DeviceCommand.Lamp(true, 100, true));

        assertThat(listener.publishCommand(command)).as("not connected yet: kept").isFalse();
        listener.start();

        JsonNode body = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(body).isNotNull();
        assertThat(body.path("id").textValue()).isEqualTo(command.id());
        assertThat(body.path("flash").booleanValue()).isTrue();
    }

    @Test
    void deviceComingOnlineGetsItsPendingCommandsAgain(Mosquitto mosquitto) throws Exception {
        started(mosquitto);
        // Queued while the door controller is away: published to nobody.
        PendingCommand release = commands.send(door, new DeviceCommand.Door(DeviceCommand.Door.Action.RELEASE));

        MqttClient device = device(mosquitto, door);
        BlockingQueue<JsonNode> received = subscribe(device, "devices/" + door + "/command");
        publish(device, "devices/" + door + "/status", "online", 1, false);

        JsonNode body = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(body).isNotNull();
        assertThat(body.path("id").textValue()).isEqualTo(release.id());
        assertThat(body.path("action").textValue()).isEqualTo("release");
    }

    @Test
    void reconnectsAndSubscribesAgainAfterTheBrokerRestarts(Mosquitto mosquitto) throws Exception {
        MqttDeviceListener listener = started(mosquitto);

        mosquitto.stop();
        await().atMost(WAIT).until(() -> !listener.isConnected());
        mosquitto.start();
        await().atMost(WAIT).until(listener::isConnected);

        // The restarted broker lost the session: this arrives only if the listener subscribed again.
        publish(device(mosquitto, lamp), "devices/" + lamp + "/telemetry", lampTelemetry(1), 1, false);
        await().atMost(WAIT).until(() -> sink.accepted().size() == 1);
    }

    private static void clearRetained(Mosquitto mosquitto, String topic) throws MqttException {
        MqttClient cleaner = new MqttClient(mosquitto.tcpUrl(), "cleaner-" + UUID.randomUUID(), new MemoryPersistence());
        cleaner.connect();
        cleaner.publish(topic, new byte[0], 1, true);
        cleaner.disconnect();
        cleaner.close();
    }
}
