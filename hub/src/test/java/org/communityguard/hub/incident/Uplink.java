package org.communityguard.hub.incident;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.hub.ingest.UplinkTestClient;

/** A gateway speaking docs/uplink.md to a test hub, one batch per {@link #send}. */
final class Uplink implements AutoCloseable {

    private final UplinkTestClient client;
    private final String gatewayId;

    Uplink(Hub hub, String gatewayId, String secret) throws Exception {
        this.client = new UplinkTestClient(hub.uplinkPort(), gatewayId, secret);
        this.gatewayId = gatewayId;
    }

    Uplink(Hub hub) throws Exception {
        this(hub, HubFixture.GATEWAY, HubFixture.GATEWAY_SECRET);
    }

    /** A reading without device time: timed by its receive time {@code rx}. */
    static String reading(String device, String type, String kind, long rx, String data) {
        return "{\"device\": \"" + device + "\", \"type\": \"" + type + "\", \"kind\": \"" + kind + "\", \"rx\": " + rx
                + ", \"data\": " + data + "}";
    }

    static String telemetry(String device, String type, long rx, String data) {
        return reading(device, type, "telemetry", rx, data);
    }

    static String event(String device, String type, long rx, String data) {
        return reading(device, type, "event", rx, data);
    }

    static byte[] batch(String gatewayId, String... readings) {
        return ("{\"v\": 1, \"gateway\": \"" + gatewayId + "\", \"batch\": \"" + UUID.randomUUID() + "\", \"readings\": ["
                + String.join(",", readings) + "]}").getBytes(StandardCharsets.UTF_8);
    }

    /** Sends one batch and checks that the hub stored it. */
    void send(String... readings) throws Exception {
        send(batch(gatewayId, readings));
    }

    void send(byte[] batch) throws Exception {
        UplinkTestClient.Ack ack = client.publish(topic(), batch);
        assertThat(ack.reasonCode()).as("PUBACK of " + new String(batch, StandardCharsets.UTF_8)).isZero();
        assertThat(ack.rejected()).isNull();
    }

    String topic() {
        return "uplink/v1/" + gatewayId + "/batch";
    }

    UplinkTestClient client() {
        return client;
    }

    @Override
    public void close() throws Exception {
        client.close();
    }
}
