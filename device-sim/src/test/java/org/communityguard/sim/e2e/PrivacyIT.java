package org.communityguard.sim.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.communityguard.hub.Hub;
import org.communityguard.sim.SimConfig;
import org.communityguard.sim.Simulation;
import org.communityguard.sim.site.SiteLoader;
import org.communityguard.testkit.Mosquitto;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Privacy at the source: a door-access card number is replaced by its keyed pseudonym before it is
 * written anywhere. The raw number appears in no file of the agent's buffer directory (database,
 * WAL), no line the agent logged (at DEBUG), no message the agent published on a device's error
 * topic, and no byte the agent sent to the hub; the pseudonym does appear in the uplink bytes, so
 * the search is known to look in the right place. Besides the simulated doors, a vendor's door
 * sends what the profile did not foresee: its own id fields ({@code card_no}, a phone number as a
 * JSON number), a card number as a JSON number where the profile wants a string, and one unquoted
 * (not JSON at all); the first is pseudonymized, the other two refused without being repeated.
 */
@ExtendWith(RealServers.class)
class PrivacyIT {

    private static final String CARD = "CARD-9876543210";
    private static final String FACE = "FACE-ID-0042-RAW";
    /** Sent as a JSON number in {@code subject}: refused (the profile wants a string), and not echoed. */
    private static final String NUMERIC_CARD = "5550001234567";
    /** A vendor's own card field: kept (unknown fields are), as a pseudonym. */
    private static final String VENDOR_CARD = "4400112233";
    /** A vendor's phone field, as a JSON number. */
    private static final String PHONE = "13912345678";
    /** Unquoted in an otherwise JSON-looking payload: malformed, and the parse error must not quote it. */
    private static final String UNQUOTED = "CARD7770001112";
    private static final List<String> RAW = List.of(CARD, FACE, NUMERIC_CARD, VENDOR_CARD, PHONE, UNQUOTED);

    @Test
    void theRawCredentialIsInNoBufferFileLogLineOrUplinkPayload(TimescaleDb timescale, Mosquitto mosquitto, @TempDir Path tmp)
            throws Exception {
        try (Hub hub = Chain.startHub(Chain.hubEnv(timescale.createDatabase(), 0));
             RecordingProxy proxy = new RecordingProxy(hub.uplinkPort())) {
            int coapPort = Ports.freeUdp();
            Path buffer = tmp.resolve("buffer");
            Path log = tmp.resolve("agent.log");
            Map<String, String> env = Chain.edgeEnv(mosquitto.tcpUrl(), "tcp://127.0.0.1:" + proxy.port(), buffer);
            env.put("EDGE_COAP_PORT", Integer.toString(coapPort));
            env.put("EDGE_METRICS_PORT", Integer.toString(Ports.freeTcp()));
            env.put("EDGE_LOG_LEVEL", "DEBUG");
            try (AgentProcess agent = new AgentProcess(env, log).start();
                 Simulation sim = new Simulation(SimConfig.of(SiteLoader.load(Chain.SITE), mosquitto.tcpUrl(),
                         URI.create("coap://127.0.0.1:" + coapPort)).withInterval(Duration.ZERO)
                         .withDevices(Set.of("door-b1-01", "door-b2-01")))) {
                sim.start();
                assertThat(sim.awaitConnected(Duration.ofSeconds(30))).isTrue();
                sim.access("door-b1-01", CARD, true).get();
                sim.access("door-b2-01", CARD, false).get();
                sim.access("door-b2-01", FACE, true).get();
                List<String> errors = vendorDoor(mosquitto.tcpUrl());
                await().atMost(Duration.ofSeconds(30)).until(() -> Chain.count(hub,
                        "SELECT count(*) FROM readings WHERE data->>'event' = 'access'") == 4);
                List<String> pseudonyms = List.of(Chain.text(hub, "SELECT string_agg(DISTINCT data->>'subject', ' ')"
                        + " FROM readings WHERE data->>'event' = 'access'").split(" "));
                assertThat(pseudonyms).hasSize(2).allMatch(p -> p.startsWith("psn1:"));
                assertThat(Chain.text(hub, "SELECT (data->>'card_no') || ' ' || (data->>'phone_no') FROM readings"
                        + " WHERE device_id = 'door-b1-02' AND data->>'event' = 'access'")).matches("psn1:\\S+ psn1:\\S+");

                String uplink = new String(proxy.sent(), StandardCharsets.ISO_8859_1);
                assertThat(uplink).contains(pseudonyms.get(0)).contains(pseudonyms.get(1));
                assertThat(errors).as("the refusals reached the device").hasSize(2)
                        .anyMatch(e -> e.contains("bad_field")).anyMatch(e -> e.contains("malformed"));
                for (String raw : RAW) {
                    assertThat(errors).as("error topic messages").noneMatch(e -> e.contains(digits(raw)));
                    assertThat(uplink).as("uplink bytes").doesNotContain(raw).doesNotContain(digits(raw));
                    try (Stream<Path> files = Files.walk(buffer)) {
                        for (Path f : files.filter(Files::isRegularFile).toList()) {
                            assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).as(f.toString())
                                    .doesNotContain(raw).doesNotContain(digits(raw));
                        }
                    }
                    assertThat(Chain.count(hub, "SELECT count(*) FROM readings WHERE data::text LIKE '%" + digits(raw) + "%'"))
                            .isZero();
                }
            }
            String logged = Files.readString(log);
            assertThat(logged).as("the agent logged at DEBUG").contains("DEBUG");
            // One line per device per minute: the first refusal's.
            assertThat(logged).as("the refusal was logged").contains("rejected mqtt message from device door-b1-02: bad_field");
            for (String raw : RAW) {
                assertThat(logged).doesNotContain(raw).doesNotContain(digits(raw));
            }
        }
    }

    /**
     * A third-party door controller (door-b1-02, not simulated here) on MQTT: an access event
     * with its own id fields, then two it gets refused. Returns every message the agent
     * published on the error topics meanwhile.
     */
    private static List<String> vendorDoor(String broker) throws Exception {
        List<String> errors = new CopyOnWriteArrayList<>();
        try (MqttClient vendor = new MqttClient(broker, "privacy-it-vendor-" + System.nanoTime(), new MemoryPersistence())) {
            MqttConnectOptions options = new MqttConnectOptions();
            options.setCleanSession(true);
            vendor.connect(options);
            vendor.subscribe("devices/+/error", 1, (topic, message) ->
                    errors.add(new String(message.getPayload(), StandardCharsets.UTF_8)));
            String topic = "devices/door-b1-02/event";
            long ts = System.currentTimeMillis();
            String head = "{\"v\":1,\"type\":\"door_access\",\"ts\":" + ts + ",\"seq\":";
            vendor.publish(topic, (head + "7001,\"data\":{\"event\":\"access\",\"result\":\"granted\",\"method\":\"card\","
                    + "\"subject\":\"" + CARD + "\",\"card_no\":\"" + VENDOR_CARD + "\",\"phone_no\":" + PHONE + "}}")
                    .getBytes(StandardCharsets.UTF_8), 1, false);
            vendor.publish(topic, (head + "7002,\"data\":{\"event\":\"access\",\"result\":\"denied\",\"method\":\"card\","
                    + "\"subject\":" + NUMERIC_CARD + "}}").getBytes(StandardCharsets.UTF_8), 1, false);
            vendor.publish(topic, (head + "7003,\"data\":{\"event\":\"access\",\"result\":\"denied\",\"method\":\"card\","
                    + "\"subject\":" + UNQUOTED + "}}").getBytes(StandardCharsets.UTF_8), 1, false);
            await().atMost(Duration.ofSeconds(30)).until(() -> errors.size() >= 2);
            vendor.disconnect();
        }
        return errors;
    }

    /** The distinctive part of a credential, in case something reformats the prefix. */
    private static String digits(String raw) {
        return raw.replaceAll("^[A-Z-]+", "");
    }
}
