package org.communityguard.hub.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The uplink contract at the hub, spoken by a plain MQTT 5 client against a real TimescaleDB. */
@ExtendWith(RealServers.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UplinkIT {

    private static final String TOPIC = "uplink/v1/" + HubFixture.GATEWAY + "/batch";

    private Hub hub;

    @BeforeAll
    void startHub(TimescaleDb timescale) throws Exception {
        hub = HubFixture.start(timescale.createDatabase(), Map.of());
    }

    @AfterAll
    void stopHub() {
        hub.close();
    }

    private static byte[] sample(String name) throws IOException {
        try (InputStream in = UplinkIT.class.getResourceAsStream("/uplink/" + name)) {
            return in.readAllBytes();
        }
    }

    private UplinkTestClient gateway() throws MqttException {
        return new UplinkTestClient(hub.uplinkPort(), HubFixture.GATEWAY, HubFixture.GATEWAY_SECRET);
    }

    private long readings(String batchDevicePrefix) throws Exception {
        return HubFixture.count(hub, "SELECT count(*) FROM readings WHERE device_id LIKE '" + batchDevicePrefix + "%'");
    }

    @Test
    void readingsGoToAHypertable() {
        assertThat(hub.database().timescale()).isTrue();
    }

    @Test
    void storesABatchOnceHoweverOftenItIsSent() throws Exception {
        try (UplinkTestClient gw = gateway()) {
            UplinkTestClient.Ack first = gw.publish(TOPIC, sample("batch-all-types.json"));
            UplinkTestClient.Ack again = gw.publish(TOPIC, sample("batch-all-types.json"));

            assertThat(first.reasonCode()).isZero();
            assertThat(again.reasonCode()).as("a resent batch is acknowledged").isZero();
        }
        assertThat(HubFixture.count(hub, "SELECT count(*) FROM readings WHERE gateway_id = 'gw-sunny-1'"
                + " AND device_id IN ('lamp-b1-01', 'manhole-07', 'smoke-b1-03', 'door-b1-01', 'door-b9-99')")).isEqualTo(9);
        assertThat(HubFixture.count(hub, "SELECT count(*) FROM uplink_batches WHERE batch_id = '3f0c7c1e-6a57-4b57-9a43-2f4a7a3b9c10'"))
                .isEqualTo(1);
        assertThat(HubFixture.count(hub, "SELECT count(*) FROM readings WHERE device_id = 'smoke-b1-03' AND 'clock_skew' = ANY(flags)"
                + " AND time = received_at AND device_ts = to_timestamp(1763764100)")).isEqualTo(1);
        assertThat(HubFixture.count(hub, "SELECT count(*) FROM readings WHERE data->>'vendor_fw' = '2.4.1'")).isEqualTo(1);
    }

    @Test
    void theSmokeAlarmInTheSampleOpensOneFireIncidentNamingItsBuilding() throws Exception {
        try (UplinkTestClient gw = gateway()) {
            gw.publish(TOPIC, sample("batch-all-types.json"));
        }
        assertThat(HubFixture.count(hub, "SELECT count(*) FROM incidents WHERE type = 'FIRE' AND device_id = 'smoke-b1-03'"
                + " AND building_id = 'B1' AND is_open AND summary LIKE '%Building 1%'"
                + " AND occurred_at = to_timestamp(1763764804.990)")).isEqualTo(1);
        assertThat(HubFixture.count(hub, "SELECT count(*) FROM incident_timeline t JOIN incidents i ON i.id = t.incident_id"
                + " WHERE i.device_id = 'smoke-b1-03' AND t.action = 'opened'")).isEqualTo(1);
    }

    @Test
    void keepsTheGoodReadingsOfAPartlyInvalidBatch() throws Exception {
        try (UplinkTestClient gw = gateway()) {
            UplinkTestClient.Ack ack = gw.publish(TOPIC, sample("batch-partly-invalid.json"));

            assertThat(ack.reasonCode()).isZero();
            assertThat(ack.rejected()).isEqualTo("2");
            assertThat(ack.reasonString()).contains("index 1");
        }
        assertThat(readings("lamp-b2-02")).isEqualTo(1);
        assertThat(HubFixture.count(hub, "SELECT count(*) FROM readings WHERE device_id = 'smoke-b2-01' AND seq = 12")).isEqualTo(1);
        assertThat(HubFixture.count(hub, "SELECT count(*) FROM readings WHERE device_id = 'toaster-1'")).isZero();
    }

    static Stream<Path> invalidSamples() throws URISyntaxException, IOException {
        try (Stream<Path> s = Files.list(Path.of(UplinkIT.class.getResource("/uplink/invalid").toURI()))) {
            return s.sorted().toList().stream();
        }
    }

    @Test
    void refusesInvalidBatchesWithPayloadFormatInvalidAndStaysConnected() throws Exception {
        long before = HubFixture.count(hub, "SELECT count(*) FROM uplink_batches");
        try (UplinkTestClient gw = gateway()) {
            for (Path p : invalidSamples().toList()) {
                UplinkTestClient.Ack ack = gw.publish(TOPIC, Files.readAllBytes(p));
                assertThat(ack.reasonCode()).as(p.getFileName().toString()).isEqualTo(0x99);
                assertThat(ack.reasonString()).as(p.getFileName().toString()).isNotBlank();
            }
            assertThat(gw.paho().isConnected()).isTrue();
        }
        assertThat(HubFixture.count(hub, "SELECT count(*) FROM uplink_batches")).isEqualTo(before);
    }

    @Test
    void refusesBatchesForAnotherGateway() throws Exception {
        byte[] otherGateway = new String(sample("batch-minimal.json"), StandardCharsets.UTF_8)
                .replace("\"gateway\": \"gw-sunny-1\"", "\"gateway\": \"gw-elsewhere\"").getBytes(StandardCharsets.UTF_8);
        try (UplinkTestClient gw = gateway()) {
            assertThat(gw.publish("uplink/v1/gw-elsewhere/batch", sample("batch-minimal.json")).reasonCode()).isEqualTo(0x87);
            assertThat(gw.publish(TOPIC, otherGateway).reasonCode()).isEqualTo(0x87);
            assertThat(gw.publish("somewhere/else", sample("batch-minimal.json")).reasonCode()).isEqualTo(0x90);
        }
    }

    @Test
    void refusesWrongCredentials() {
        assertThatThrownBy(() -> new UplinkTestClient(hub.uplinkPort(), HubFixture.GATEWAY, "not-the-secret-at-all"))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x86));
        assertThatThrownBy(() -> new UplinkTestClient(hub.uplinkPort(), "gw-unknown", HubFixture.GATEWAY_SECRET))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x86));
    }

    @Test
    void refusesMqtt311Clients() throws Exception {
        try (MqttClient v3 = new MqttClient("tcp://127.0.0.1:" + hub.uplinkPort(), HubFixture.GATEWAY,
                new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence())) {
            MqttConnectOptions o = new MqttConnectOptions();
            o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            o.setUserName(HubFixture.GATEWAY);
            o.setPassword(HubFixture.GATEWAY_SECRET.toCharArray());
            assertThatThrownBy(() -> v3.connect(o)).isInstanceOfSatisfying(
                    org.eclipse.paho.client.mqttv3.MqttException.class,
                    e -> assertThat(e.getReasonCode()).isEqualTo(1));
        }
    }

    @Test
    void countsWhatItRefused() throws Exception {
        try (UplinkTestClient gw = gateway()) {
            gw.publish(TOPIC, sample("invalid/not-json.json"));
        }
        assertThat(List.of(hub.scrapeMetrics().split("\n")))
                .anyMatch(l -> l.startsWith("hub_uplink_rejections_total{reason=\"payload_format_invalid\"}"));
    }
}
