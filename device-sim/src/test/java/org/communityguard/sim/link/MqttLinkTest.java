package org.communityguard.sim.link;

import com.fasterxml.jackson.databind.JsonNode;
import org.communityguard.sim.RoundResult;
import org.communityguard.sim.SimConfig;
import org.communityguard.sim.Simulation;
import org.communityguard.sim.site.Site;
import org.communityguard.sim.site.SiteLoader;
import org.communityguard.testkit.Mosquitto;
import org.communityguard.testkit.RealServers;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The MQTT devices against a real Mosquitto from the testkit. */
@ExtendWith(RealServers.class)
class MqttLinkTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    /** One message as a subscriber received it. */
    record Seen(String topic, String payload, int qos, boolean retained) {
        JsonNode json() {
            try {
                return Payloads.read(payload.getBytes(StandardCharsets.UTF_8), false);
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    // The broker lives for the whole test JVM and keeps retained messages: fresh ids per test.
    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final String door = "door-m-" + suffix;
    private final String lamp = "lamp-m-" + suffix;
    private final List<MqttClient> observers = new ArrayList<>();
    private Simulation simulation;

    @AfterEach
    void stop() throws MqttException {
        if (simulation != null) {
            simulation.close();
        }
        for (MqttClient observer : observers) {
            if (observer.isConnected()) {
                observer.disconnect();
            }
            observer.close();
        }
    }

    private Simulation start(Mosquitto mosquitto) throws InterruptedException {
        Site site = SiteLoader.parse("""
                community: mqtt-test
                gateways: [{id: gw-1}]
                buildings: [{id: B1}]
                devices:
                  - {id: %s, type: door_access, building: B1, gateway: gw-1}
                  - {id: %s, type: lamp_post, building: B1, gateway: gw-1}
                """.formatted(door, lamp), "mqtt-test.yaml");
        simulation = new Simulation(SimConfig.of(site, mosquitto.tcpUrl(), URI.create("coap://127.0.0.1:1"))
                .withInterval(Duration.ZERO)
                .withTimeOfDay(LocalTime.of(21, 0))
                .withAckTimeout(Duration.ofSeconds(10)));
        simulation.start();
        assertThat(simulation.awaitConnected(PATIENCE)).isTrue();
        return simulation;
    }

    /** A plain subscriber, as the edge agent would be, collecting what it sees. */
    private List<Seen> observe(Mosquitto mosquitto, String... filters) throws MqttException {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        MqttClient observer = new MqttClient(mosquitto.tcpUrl(), "observer-" + UUID.randomUUID(), new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        observer.connect(options);
        observers.add(observer);
        for (String filter : filters) {
            observer.subscribe(filter, 1, (topic, message) -> seen.add(new Seen(topic,
                    new String(message.getPayload(), StandardCharsets.UTF_8), message.getQos(), message.isRetained())));
        }
        return seen;
    }

    private void publish(Mosquitto mosquitto, String topic, String payload) throws MqttException {
        MqttClient gateway = new MqttClient(mosquitto.tcpUrl(), "gateway-" + UUID.randomUUID(), new MemoryPersistence());
        gateway.connect();
        gateway.publish(topic, payload.getBytes(StandardCharsets.UTF_8), 1, false);
        gateway.disconnect();
        gateway.close();
    }

    private static List<Seen> on(List<Seen> seen, String topic) {
        return seen.stream().filter(s -> s.topic().equals(topic)).toList();
    }

    @Test
    void telemetryAndEventsGoOutAtQos1OnTheirTopicsAndStatusIsRetained(Mosquitto mosquitto) throws Exception {
        List<Seen> seen = observe(mosquitto, "devices/+/telemetry", "devices/+/event");
        start(mosquitto);

        RoundResult round = simulation.sendTelemetryRound();
        simulation.forceDoor(door).join();

        assertThat(round).isEqualTo(new RoundResult(2, 2, 0, 0, 0));
        await().atMost(PATIENCE).until(() -> seen.size() >= 4);
        Seen lampTelemetry = on(seen, "devices/" + lamp + "/telemetry").get(0);
        assertThat(lampTelemetry.qos()).isEqualTo(1);
        assertThat(lampTelemetry.retained()).isFalse();
        JsonNode body = lampTelemetry.json();
        assertThat(body.get("v").asInt()).isEqualTo(1);
        assertThat(body.get("type").asText()).isEqualTo("lamp_post");
        assertThat(body.get("seq").asLong()).isZero();
        assertThat(body.get("data").get("lamp_on").asBoolean()).isTrue();

        Seen forced = on(seen, "devices/" + door + "/event").get(0);
        assertThat(forced.qos()).isEqualTo(1);
        assertThat(forced.json().get("data").get("event").asText()).isEqualTo("forced_open");
        assertThat(forced.json().get("type").asText()).isEqualTo("door_access");
        assertThat(on(seen, "devices/" + door + "/telemetry")).hasSize(2);

        List<Seen> status = observe(mosquitto, "devices/" + door + "/status", "devices/" + lamp + "/status");
        await().atMost(PATIENCE).until(() -> status.size() == 2);
        assertThat(status).allSatisfy(s -> {
            assertThat(s.payload()).isEqualTo("online");
            assertThat(s.retained()).isTrue();
            assertThat(s.qos()).isEqualTo(1);
        });
        assertThat(simulation.ledger().acknowledged()).containsEntry(door, new java.util.TreeSet<>(List.of(0L, 1L, 2L)));
    }

    @Test
    void commandsAreReceivedAppliedAndAcknowledged(Mosquitto mosquitto) throws Exception {
        List<Seen> seen = observe(mosquitto, "devices/" + door + "/event", "devices/" + door + "/telemetry");
        start(mosquitto);

        publish(mosquitto, "devices/" + door + "/command", "{\"cmd\":\"door\",\"action\":\"release\",\"id\":\"m-1\"}");

        await().atMost(PATIENCE).until(() -> !on(seen, "devices/" + door + "/event").isEmpty());
        JsonNode ack = on(seen, "devices/" + door + "/event").get(0).json();
        assertThat(ack.get("data").get("event").asText()).isEqualTo("command_ack");
        assertThat(ack.get("data").get("id").asText()).isEqualTo("m-1");
        assertThat(simulation.commandsReceived()).singleElement().satisfies(c -> {
            assertThat(c.deviceId()).isEqualTo(door);
            assertThat(c.applied()).isTrue();
        });

        simulation.sendTelemetryRound();
        await().atMost(PATIENCE).until(() -> !on(seen, "devices/" + door + "/telemetry").isEmpty());
        assertThat(on(seen, "devices/" + door + "/telemetry").get(0).json().get("data").get("locked").asBoolean()).isFalse();

        publish(mosquitto, "devices/" + door + "/error", "{\"error\":\"bad_message\",\"detail\":\"open_s\"}");
        await().atMost(PATIENCE).until(() -> simulation.gatewayErrors() == 1);
    }

    @Test
    void aSilencedDeviceLeavesItsWillAndComesBackOnline(Mosquitto mosquitto) throws Exception {
        List<Seen> seen = observe(mosquitto, "devices/" + lamp + "/status");
        start(mosquitto);
        await().atMost(PATIENCE).until(() -> payloads(seen).contains("online"));

        simulation.silence(lamp);
        await().atMost(PATIENCE).until(() -> payloads(seen).contains("offline"));
        assertThat(simulation.sendTelemetryRound().sent()).isEqualTo(1);

        simulation.revive(lamp);
        await().atMost(PATIENCE).until(() -> payloads(seen).lastIndexOf("online") > payloads(seen).indexOf("offline"));
        assertThat(simulation.awaitConnected(PATIENCE)).isTrue();
        assertThat(simulation.sendTelemetryRound().acknowledged()).isEqualTo(2);

        simulation.close();
        List<Seen> after = observe(mosquitto, "devices/" + door + "/status");
        await().atMost(PATIENCE).until(() -> !after.isEmpty());
        assertThat(after.get(0).payload()).isEqualTo("offline");
        assertThat(after.get(0).retained()).isTrue();
    }

    @Test
    void whileTheBrokerIsDownMessagesFailAndTheDevicesReconnectAfterwards(Mosquitto mosquitto) throws Exception {
        start(mosquitto);
        assertThat(simulation.sendTelemetryRound().acknowledged()).isEqualTo(2);

        mosquitto.stop();
        await().atMost(PATIENCE).until(() -> simulation.connectedCount() == 0);
        RoundResult down = simulation.sendTelemetryRound();
        assertThat(down.failed()).isEqualTo(2);
        assertThat(simulation.ledger().failureReasons()).containsEntry("not connected", 2L);

        mosquitto.start();
        assertThat(simulation.awaitConnected(Duration.ofSeconds(60))).isTrue();
        assertThat(simulation.sendTelemetryRound().acknowledged()).isEqualTo(2);
        assertThat(simulation.ledger().acknowledged(door)).containsExactly(0L, 2L);
        assertThat(simulation.ledger().failed().get(door)).containsExactly(1L);
    }

    private static List<String> payloads(List<Seen> seen) {
        return seen.stream().map(Seen::payload).toList();
    }
}
