package org.communityguard.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.communityguard.edge.config.Config;
import org.communityguard.edge.config.EdgeSettings;
import org.communityguard.edge.identity.IdentityClients;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole agent, on its embedded broker, against a forger: an alarm of smoke-1 from a client
 * without an account, with a wrong password, from another device's account, or over plain CoAP,
 * is refused and counted, and the door is never released; smoke-1's own alarm, over DTLS with
 * its key, releases it (so the door would have told).
 */
class ForgedAlarmTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String SMOKE_KEY = "00112233445566778899aabbccddeeff";
    private static final String LAMP_KEY = "ffeeddccbbaa99887766554433221100";
    private static final String DOOR_KEY = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    private static final String ALARM = "{\"v\":1,\"type\":\"smoke_detector\",\"seq\":%d,\"data\":{\"event\":\"alarm\",\"level\":\"alarm\"}}";
    private static final String SITE = """
            community: test
            device_auth: psk
            buildings: [{id: B1}]
            devices:
              - {id: smoke-1, type: smoke_detector, building: B1, gateway: gw-forged}
              - {id: manhole-1, type: manhole, building: B1, gateway: gw-forged, auth: none}
              - {id: lamp-1, type: lamp_post, building: B1, gateway: gw-forged}
              - {id: door-1, type: door_access, building: B1, gateway: gw-forged}
            linkage:
              - name: fire-evacuation
                when: {type: smoke_detector, event: alarm, level: alarm}
                then:
                  - {type: door_access, command: {cmd: door, action: release}}
            """;

    @TempDir
    Path dir;

    private EdgeAgent edge;
    private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        if (edge != null) {
            edge.close();
        }
    }

    private void startAgent() throws Exception {
        Path site = dir.resolve("site.yaml");
        Files.writeString(site, SITE);
        Path keys = dir.resolve("devices.keys");
        Files.writeString(keys, "smoke-1:" + SMOKE_KEY + "\nlamp-1:" + LAMP_KEY + "\ndoor-1:" + DOOR_KEY + "\n");
        Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString("rw-------"));
        Map<String, String> env = new HashMap<>();
        env.put("EDGE_GATEWAY_ID", "gw-forged");
        env.put("EDGE_SITE_FILE", site.toString());
        env.put("EDGE_DEVICE_KEYS_FILE", keys.toString());
        env.put("EDGE_BROKER_EMBEDDED_HOST", "127.0.0.1");
        env.put("EDGE_BROKER_EMBEDDED_PORT", "0");
        env.put("EDGE_COAP_HOST", "127.0.0.1");
        env.put("EDGE_COAP_PORT", "0");
        env.put("EDGE_COAP_DTLS_PORT", "0");
        env.put("EDGE_METRICS_HOST", "127.0.0.1");
        env.put("EDGE_METRICS_PORT", "0");
        // No hub: linkage acts without one.
        env.put("EDGE_UPLINK_URL", "tcp://127.0.0.1:9");
        env.put("EDGE_UPLINK_SECRET", "forged-alarm-test-secret");
        env.put("EDGE_PRIVACY_PSEUDONYM_KEY", "forged-alarm-test-pseudonym-key-0123456789");
        env.put("EDGE_BUFFER_DIR", dir.resolve("buffer").toString());
        edge = EdgeAgent.start(Config.load(EdgeSettings.ALL, null, env));
    }

    private MqttClient client(String user, String password) throws MqttException {
        MqttClient client = new MqttClient(edge.brokerUrl(), "c-" + UUID.randomUUID(), new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        if (user != null) {
            options.setUserName(user);
            options.setPassword(password.toCharArray());
        }
        client.connect(options);
        closeables.add(() -> {
            if (client.isConnected()) {
                client.disconnectForcibly(0, 1_000);
            }
            client.close();
        });
        return client;
    }

    private Response post(CoapEndpoint endpoint, String uri, String json) throws Exception {
        Request request = Request.newPost();
        request.setURI(uri);
        request.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_JSON);
        request.setPayload(json.getBytes(StandardCharsets.UTF_8));
        endpoint.sendRequest(request);
        return request.waitForResponse(WAIT.toMillis());
    }

    private CoapEndpoint endpoint(String identity, String key) throws Exception {
        CoapEndpoint endpoint = IdentityClients.coapClient(identity, key);
        closeables.add(endpoint::destroy);
        return endpoint;
    }

    private double metric(String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name + labels) + " ([0-9.eE+]+)$").matcher(edge.scrapeMetrics());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }


    @Test
    void aForgedAlarmIsRefusedCountedAndNeverReleasesTheDoor() throws Exception {
        startAgent();
        List<String> doorCommands = new CopyOnWriteArrayList<>();
        MqttClient door = client("door-1", DOOR_KEY);
        door.subscribe("devices/door-1/command", 1, (topic, message) -> doorCommands.add(new String(message.getPayload(), StandardCharsets.UTF_8)));
        await().atMost(WAIT).until(() -> metric("edge_mqtt_connected", "") == 1);

        // No account, a wrong password, an account with no key: not let in.
        IdentityClients.assertLoginRefused(() -> client(null, null));
        IdentityClients.assertLoginRefused(() -> client("smoke-1", LAMP_KEY));
        IdentityClients.assertLoginRefused(() -> client("stranger-1", SMOKE_KEY));
        // A device's own account, publishing as smoke-1 or on the door's command topic: dropped.
        MqttClient lamp = client("lamp-1", LAMP_KEY);
        lamp.getTopic("devices/smoke-1/event").publish(ALARM.formatted(1).getBytes(StandardCharsets.UTF_8), 1, false);
        lamp.getTopic("devices/door-1/command").publish("{\"cmd\":\"door\",\"action\":\"release\",\"id\":\"forged\"}"
                .getBytes(StandardCharsets.UTF_8), 1, false);
        // Plain CoAP as smoke-1, which has a key: 4.03.
        Response plain = post(endpoint(null, null), "coap://127.0.0.1:" + edge.coapPort() + "/events/smoke-1", ALARM.formatted(2));
        assertThat(plain.getCode()).isEqualTo(ResponseCode.FORBIDDEN);

        await().atMost(WAIT).until(() -> metric("edge_broker_refused_total", "{reason=\"publish_denied\"}") == 2);
        assertThat(metric("edge_broker_refused_total", "{reason=\"bad_credentials\"}")).isGreaterThanOrEqualTo(2);
        assertThat(metric("edge_readings_rejected_total", "{reason=\"not_authorized\"}")).isEqualTo(1);
        assertThat(metric("edge_linkage_fired_total", "")).isZero();

        // smoke-1 itself, over DTLS with its key: the door is released, and that is the first it heard.
        Response own = post(endpoint("smoke-1", SMOKE_KEY), "coaps://127.0.0.1:" + edge.coapDtlsPort() + "/events/smoke-1",
                ALARM.formatted(3));
        assertThat(own.getCode()).isEqualTo(ResponseCode.CHANGED);
        await().atMost(WAIT).until(() -> !doorCommands.isEmpty());
        assertThat(doorCommands).singleElement().satisfies(c -> assertThat(c).contains("\"release\"").doesNotContain("forged"));
        assertThat(metric("edge_linkage_fired_total", "")).isEqualTo(1);
    }
}
