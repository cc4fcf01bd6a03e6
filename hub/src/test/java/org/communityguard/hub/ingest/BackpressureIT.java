package org.communityguard.hub.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A stalled database slows the uplink down; it neither loses batches nor grows memory without bound. */
@ExtendWith(RealServers.class)
class BackpressureIT {

    private static final String TOPIC = "uplink/v1/" + HubFixture.GATEWAY + "/batch";

    private static byte[] batch(String id, int readings) {
        StringBuilder sb = new StringBuilder("{\"v\":1,\"gateway\":\"gw-sunny-1\",\"batch\":\"" + id + "\",\"readings\":[");
        for (int i = 0; i < readings; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"device\":\"bp-").append(id).append("\",\"type\":\"manhole\",")
                    .append("\"kind\":\"telemetry\",\"rx\":1763764800000,\"seq\":").append(i)
                    .append(",\"data\":{\"water_below_cover_cm\":80}}");
        }
        return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aStalledDatabaseStopsIntakeAndEverythingIsStoredOnceItRecovers(TimescaleDb timescale) throws Exception {
        try (Hub hub = HubFixture.start(timescale.createDatabase(), Map.of("HUB_INGEST_QUEUE_READINGS", "1000",
                "HUB_INGEST_RETRY_TIMEOUT", "2m", "HUB_UPLINK_RECEIVE_MAXIMUM", "16"));
             UplinkTestClient gw = new UplinkTestClient(hub.uplinkPort(), HubFixture.GATEWAY, HubFixture.GATEWAY_SECRET)) {
            List<CompletableFuture<Integer>> acks = new ArrayList<>();
            timescale.pause();
            try {
                for (int b = 0; b < 16; b++) {
                    CompletableFuture<Integer> ack = new CompletableFuture<>();
                    MqttMessage m = new MqttMessage(batch("b" + b, 200));
                    m.setQos(1);
                    gw.paho().publish(TOPIC, m, null, new MqttActionListener() {
                        @Override
                        public void onSuccess(IMqttToken token) {
                            ack.complete(token.getReasonCodes() == null ? 0 : token.getReasonCodes()[0]);
                        }

                        @Override
                        public void onFailure(IMqttToken token, Throwable e) {
                            ack.completeExceptionally(e);
                        }
                    });
                    acks.add(ack);
                }
                Thread.sleep(1500);
                assertThat(acks).as("nothing is acknowledged while the database is stalled").noneMatch(CompletableFuture::isDone);
                // 3,200 readings were sent. The hub stops reading the socket once 1,000 are
                // queued; batches already decoded from the last read are kept, not dropped.
                assertThat(queued(hub)).isGreaterThanOrEqualTo(1000.0).isLessThan(3200.0);
            } finally {
                timescale.resume();
            }
            for (CompletableFuture<Integer> ack : acks) {
                assertThat(ack.get(60, TimeUnit.SECONDS)).isZero();
            }
        }
    }

    private static double queued(Hub hub) {
        for (String line : hub.scrapeMetrics().split("\n")) {
            if (line.startsWith("hub_ingest_queue_readings ")) {
                return Double.parseDouble(line.substring(line.indexOf(' ') + 1));
            }
        }
        throw new AssertionError("no hub_ingest_queue_readings gauge");
    }
}
