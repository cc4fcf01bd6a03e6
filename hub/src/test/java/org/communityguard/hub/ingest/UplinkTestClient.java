package org.communityguard.hub.ingest;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/** A gateway as a third party would write one: a plain Paho MQTT 5 client speaking docs/uplink.md. */
public final class UplinkTestClient implements AutoCloseable {

    /** What the hub answered to one PUBLISH. */
    public record Ack(int reasonCode, String reasonString, String rejected) {
    }

    private final MqttAsyncClient client;

    /** A v1 batch of {@code readings} (JSON objects) under a fresh batch key. */
    public static byte[] batch(String gateway, String... readings) {
        return ("{\"v\": 1, \"gateway\": \"" + gateway + "\", \"batch\": \"" + UUID.randomUUID() + "\", \"readings\": ["
                + String.join(",", readings) + "]}").getBytes(StandardCharsets.UTF_8);
    }

    /** A reading without device time: timed by its receive time {@code rx}. */
    public static String reading(String device, String type, String kind, long rx, String data) {
        return "{\"device\": \"" + device + "\", \"type\": \"" + type + "\", \"kind\": \"" + kind + "\", \"rx\": " + rx
                + ", \"data\": " + data + "}";
    }

    public UplinkTestClient(int port, String gatewayId, String secret) throws MqttException {
        client = new MqttAsyncClient("tcp://127.0.0.1:" + port, gatewayId, new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setUserName(gatewayId);
        o.setPassword(secret.getBytes(StandardCharsets.UTF_8));
        o.setAutomaticReconnect(false);
        client.connect(o).waitForCompletion(10_000);
    }

    public MqttAsyncClient paho() {
        return client;
    }

    public Ack publish(String topic, byte[] payload) throws Exception {
        return publishAsync(topic, payload).get(30, TimeUnit.SECONDS);
    }

    /** Publishes without waiting; the future completes with the hub's PUBACK. */
    public CompletableFuture<Ack> publishAsync(String topic, byte[] payload) throws MqttException {
        CompletableFuture<Ack> result = new CompletableFuture<>();
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        client.publish(topic, m, null, new MqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                int[] codes = token.getReasonCodes();
                result.complete(ack(codes == null ? 0 : codes[0], token.getResponseProperties()));
            }

            @Override
            public void onFailure(IMqttToken token, Throwable e) {
                if (e instanceof MqttException me && me.getReasonCode() >= 0x80 && me.getReasonCode() <= 0xFF) {
                    result.complete(ack(me.getReasonCode(), token.getResponseProperties()));
                } else {
                    result.completeExceptionally(e);
                }
            }
        });
        return result;
    }

    private static Ack ack(int code, MqttProperties props) {
        String rejected = null;
        String reason = null;
        if (props != null) {
            reason = props.getReasonString();
            for (UserProperty p : props.getUserProperties()) {
                if (p.getKey().equals("rejected")) {
                    rejected = p.getValue();
                }
            }
        }
        return new Ack(code, reason, rejected);
    }

    @Override
    public void close() throws MqttException {
        if (client.isConnected()) {
            client.disconnect().waitForCompletion(5000);
        }
        client.close(true);
    }
}
