package org.communityguard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealServers.class)
class MosquittoTest {

    private static final String TOPIC = "cg/testkit/ping";

    @Test
    void qos1RoundTripWorksAgainAfterRestartOnTheSamePort(Mosquitto mosquitto) throws Exception {
        assertThat(mosquitto.tcpUrl()).isEqualTo("tcp://" + mosquitto.host() + ":" + mosquitto.port());
        assertThat(roundTrip(mosquitto, "before")).isEqualTo("before");

        int port = mosquitto.port();
        mosquitto.stop();
        assertThatThrownBy(() -> connect(mosquitto, "refused")).isInstanceOf(MqttException.class);

        mosquitto.start();
        assertThat(mosquitto.port()).isEqualTo(port);
        assertThat(roundTrip(mosquitto, "after")).isEqualTo("after");
    }

    /** Publishes one QoS 1 message through the broker and returns what the subscriber received. */
    private static String roundTrip(Mosquitto mosquitto, String payload) throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        MqttClient subscriber = connect(mosquitto, "sub-" + payload);
        MqttClient publisher = connect(mosquitto, "pub-" + payload);
        try {
            subscriber.subscribe(TOPIC, 1, (topic, message) ->
                    received.add(new String(message.getPayload(), StandardCharsets.UTF_8)));
            publisher.publish(TOPIC, payload.getBytes(StandardCharsets.UTF_8), 1, false);
            return received.poll(10, TimeUnit.SECONDS);
        } finally {
            publisher.disconnect();
            publisher.close();
            subscriber.disconnect();
            subscriber.close();
        }
    }

    private static MqttClient connect(Mosquitto mosquitto, String clientId) throws MqttException {
        MqttClient client = new MqttClient(mosquitto.tcpUrl(), "testkit-" + clientId, new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        options.setConnectionTimeout(5);
        try {
            client.connect(options);
        } catch (MqttException e) {
            client.close();
            throw e;
        }
        return client;
    }
}
