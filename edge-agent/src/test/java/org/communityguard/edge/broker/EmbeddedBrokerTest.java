package org.communityguard.edge.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.communityguard.edge.device.DeviceCommands;
import org.communityguard.edge.device.DeviceIngest;
import org.communityguard.edge.device.Provisioning;
import org.communityguard.edge.device.TestSink;
import org.communityguard.edge.mqtt.MqttDeviceListener;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EmbeddedBrokerTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final EmbeddedBroker broker = new EmbeddedBroker("127.0.0.1", 0);

    @AfterEach
    void stop() {
        broker.close();
    }

    private MqttClient client() throws MqttException {
        MqttClient client = new MqttClient(broker.tcpUrl(), "test-" + UUID.randomUUID(), new MemoryPersistence());
        client.connect();
        return client;
    }

    @Test
    void startsOnAFreePortAndRelaysMessages() throws Exception {
        boolean dataDirBefore = Files.exists(Path.of("data"));
        broker.start();
        assertThat(broker.port()).isPositive();
        assertThat(broker.tcpUrl()).isEqualTo("tcp://127.0.0.1:" + broker.port());

        MqttClient subscriber = client();
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        subscriber.subscribe("devices/+/command", 1, (topic, message) ->
                received.add(topic + " " + new String(message.getPayload(), StandardCharsets.UTF_8)));
        MqttClient publisher = client();
        publisher.publish("devices/lamp-1/command", "{\"cmd\":\"lamp\"}".getBytes(StandardCharsets.UTF_8), 1, false);

        assertThat(received.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("devices/lamp-1/command {\"cmd\":\"lamp\"}");
        subscriber.disconnect();
        publisher.disconnect();
        subscriber.close();
        publisher.close();

        // In memory only: Moquette's defaults would create data/ and data/.moquette_uuid here.
        assertThat(Files.exists(Path.of("data"))).isEqualTo(dataDirBefore);
        assertThat(Files.exists(Path.of(".moquette_uuid"))).isFalse();
    }

    @Test
    void carriesDeviceMessagesToTheListener() throws Exception {
        broker.start();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TestSink sink = new TestSink();
        DeviceCommands commands = new DeviceCommands(8, Duration.ofMinutes(10), Clock.systemUTC(), registry);
        DeviceIngest ingest = new DeviceIngest(sink, Provisioning.none(), commands, registry, Clock.systemUTC(), DeviceIngest.Settings.defaults());
        try (MqttDeviceListener listener = new MqttDeviceListener(
                MqttDeviceListener.Settings.of(broker.tcpUrl(), "edge-embedded"), ingest, commands, registry)) {
            listener.start();
            await().atMost(WAIT).until(listener::isConnected);
            MqttClient device = client();
            device.publish("devices/manhole-1/telemetry",
                    "{\"v\":1,\"type\":\"manhole\",\"seq\":1,\"data\":{\"cover_open\":false}}".getBytes(StandardCharsets.UTF_8), 1, false);

            await().atMost(WAIT).until(() -> sink.accepted().size() == 1);
            assertThat(sink.accepted().get(0).deviceId()).isEqualTo("manhole-1");
            device.disconnect();
            device.close();
        }
    }

    @Test
    void stopsCleanlyAndFreesThePort() throws Exception {
        broker.start();
        String url = broker.tcpUrl();
        broker.close();

        MqttClient late = new MqttClient(url, "late-" + UUID.randomUUID(), new MemoryPersistence());
        assertThatThrownBy(late::connect).isInstanceOf(MqttException.class);
        late.close();
        broker.close();
    }

    @Test
    void portInUseIsAnActionableError() {
        broker.start();
        EmbeddedBroker second = new EmbeddedBroker("127.0.0.1", broker.port());
        assertThatThrownBy(second::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("127.0.0.1:" + broker.port());
        second.close();
    }
}
