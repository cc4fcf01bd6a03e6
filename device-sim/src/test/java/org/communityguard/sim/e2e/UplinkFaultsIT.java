package org.communityguard.sim.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.communityguard.edge.buffer.ReadingCodec;
import org.communityguard.edge.buffer.UplinkBuffer;
import org.communityguard.edge.device.DeviceType;
import org.communityguard.edge.device.Kind;
import org.communityguard.edge.device.Reading;
import org.communityguard.edge.device.ReadingSink.Admission;
import org.communityguard.edge.uplink.BatchEncoder;
import org.communityguard.edge.uplink.ReadingJson;
import org.communityguard.edge.uplink.UplinkClient;
import org.communityguard.hub.Hub;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The uplink never stuck, against the real hub: a hub with a small Maximum Packet Size, a hub that
 * stops acknowledging on a live connection, a black-holed connection, and a reading the hub
 * cannot parse. In each, every reading is stored exactly once (the one poisoned reading aside,
 * which is dead-lettered on its own), and the gateway's buffer empties.
 */
@ExtendWith(RealServers.class)
class UplinkFaultsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void aHubWithASmallMaximumPacketSizeGetsEveryReadingOnceAndAnOversizedOneIsDeadLettered(TimescaleDb timescale)
            throws Exception {
        Hub hub = hub(timescale, Map.of("HUB_UPLINK_MAX_PACKET_BYTES", "4096"));
        UplinkBuffer buffer = buffer(new ReadingJson(JSON));
        // A backlog sealed into 500-reading batches would be 130 KB a packet.
        offerAll(buffer, 0, 1500);
        ObjectNode huge = JsonNodeFactory.instance.objectNode().put("event", "linkage").put("rule", "r".repeat(6000));
        buffer.offer(new Reading(Chain.GATEWAY, DeviceType.GATEWAY, Kind.EVENT, System.currentTimeMillis(), null, null,
                Set.of(), huge)).toCompletableFuture().join();
        client(buffer, "tcp://127.0.0.1:" + hub.uplinkPort()).start();

        await().atMost(Duration.ofSeconds(90)).until(() -> buffer.pendingReadings() == 0);
        assertStoredOnce(hub, 0, 1500);
        assertThat(registry.get("edge.buffer.dead_lettered.readings").counter().count()).isEqualTo(1);
    }

    @Test
    void batchesWithoutAPubackAreResentOnAFreshConnectionAndStoredOnce(TimescaleDb timescale) throws Exception {
        Hub hub = hub(timescale, Map.of());
        // The hub answers pings but its PUBACKs never arrive: keep-alive cannot tell.
        UplinkFaultProxy proxy = new UplinkFaultProxy(hub.uplinkPort());
        open.add(proxy);
        proxy.dropFirstConnectionsPubacks();
        UplinkBuffer buffer = buffer(new ReadingJson(JSON));
        client(buffer, "tcp://127.0.0.1:" + proxy.port()).start();
        offerAll(buffer, 0, 300);

        await().atMost(Duration.ofSeconds(60)).until(() -> buffer.pendingReadings() == 0);
        assertThat(proxy.connections()).isGreaterThanOrEqualTo(2);
        assertStoredOnce(hub, 0, 300);
    }

    @Test
    void aBlackHoledConnectionIsLeftAndItsBatchesResentOnce(TimescaleDb timescale) throws Exception {
        Hub hub = hub(timescale, Map.of());
        UplinkFaultProxy proxy = new UplinkFaultProxy(hub.uplinkPort());
        open.add(proxy);
        UplinkBuffer buffer = buffer(new ReadingJson(JSON));
        client(buffer, "tcp://127.0.0.1:" + proxy.port()).start();
        offerAll(buffer, 0, 100);
        await().atMost(Duration.ofSeconds(30)).until(() -> buffer.pendingReadings() == 0);

        proxy.blackHoleOpenConnections();
        offerAll(buffer, 100, 400);
        await().atMost(Duration.ofSeconds(60)).until(() -> buffer.pendingReadings() == 0);
        assertThat(proxy.connections()).isGreaterThanOrEqualTo(2);
        assertStoredOnce(hub, 0, 400);
    }

    @Test
    void aReadingTheHubCannotParseIsIsolatedAndTheSafetyEventsBesideItAreStored(TimescaleDb timescale) throws Exception {
        Hub hub = hub(timescale, Map.of());
        // A body damaged on disk: the whole batch holding it is no JSON, so the hub refuses it (0x99).
        ReadingJson good = new ReadingJson(JSON);
        ReadingCodec damaging = new ReadingCodec() {
            @Override
            public byte[] encode(Reading reading) {
                return reading.deviceId().equals("poison-1")
                        ? "{\"device\":\"poison-1\",\"type\":".getBytes(StandardCharsets.UTF_8) : good.encode(reading);
            }

            @Override
            public Reading decode(byte[] encoded) {
                return good.decode(encoded);
            }
        };
        UplinkBuffer buffer = buffer(damaging);
        List<CompletableFuture<Admission>> answers = new ArrayList<>();
        for (long seq = 0; seq < 40; seq++) {
            answers.add(buffer.offer(seq == 20 ? telemetry("poison-1", seq) : seq % 10 == 5 ? alarm(seq) : telemetry("sensor-1", seq))
                    .toCompletableFuture());
        }
        answers.forEach(CompletableFuture::join);
        client(buffer, "tcp://127.0.0.1:" + hub.uplinkPort()).start();

        await().atMost(Duration.ofSeconds(60)).until(() -> buffer.pendingReadings() == 0);
        Map<String, Map<Long, Integer>> stored = Chain.storedSeqs(hub);
        assertThat(stored.get("sensor-1").keySet()).hasSize(39);
        assertThat(stored.get("sensor-1").values()).containsOnly(1);
        assertThat(stored).doesNotContainKey("poison-1");
        assertThat(Chain.count(hub, "SELECT count(*) FROM readings WHERE data->>'event' = 'alarm'")).isEqualTo(4);
        assertThat(registry.get("edge.buffer.dead_lettered.readings").counter().count()).isEqualTo(1);
    }

    private Hub hub(TimescaleDb timescale, Map<String, String> settings) throws Exception {
        Map<String, String> env = Chain.hubEnv(timescale.createDatabase(), 0);
        env.putAll(settings);
        Hub hub = Chain.startHub(env);
        open.add(hub);
        return hub;
    }

    private UplinkBuffer buffer(ReadingCodec codec) {
        UplinkBuffer buffer = new UplinkBuffer(new UplinkBuffer.Settings(tmp.resolve("buffer.db"), Chain.GATEWAY,
                100_000_000, 0, 0), codec, Clock.systemUTC(), registry);
        open.add(buffer);
        return buffer;
    }

    private UplinkClient client(UplinkBuffer buffer, String url) {
        // Keep-alive long, as on a path that died a moment ago: the ack timeout must notice.
        UplinkClient client = new UplinkClient(new UplinkClient.Settings(url, Chain.GATEWAY, Chain.SECRET, 500,
                Duration.ofMillis(20), 16, Duration.ofMillis(500), Duration.ofSeconds(3), Duration.ofMinutes(5)),
                buffer, new BatchEncoder(JSON), null, registry);
        open.add(client);
        return client;
    }

    private static void offerAll(UplinkBuffer buffer, long from, long to) {
        List<CompletableFuture<Admission>> answers = new ArrayList<>();
        for (long seq = from; seq < to; seq++) {
            answers.add(buffer.offer(telemetry("sensor-1", seq)).toCompletableFuture());
        }
        answers.forEach(a -> assertThat(a.join()).isEqualTo(Admission.ACCEPTED));
    }

    private static void assertStoredOnce(Hub hub, long from, long to) throws Exception {
        Map<Long, Integer> stored = Chain.storedSeqs(hub).getOrDefault("sensor-1", Map.of());
        Set<Long> expected = new TreeSet<>();
        for (long seq = from; seq < to; seq++) {
            expected.add(seq);
        }
        assertThat(stored.keySet()).isEqualTo(expected);
        assertThat(stored.values()).containsOnly(1);
    }

    private static Reading telemetry(String device, long seq) {
        ObjectNode data = JsonNodeFactory.instance.objectNode().put("smoke_obscuration_pct_m", 0.4).put("battery_pct", 88)
                .put("temperature_c", 21.5);
        return new Reading(device, DeviceType.SMOKE_DETECTOR, Kind.TELEMETRY, System.currentTimeMillis(), null, seq,
                Set.of(), data);
    }

    private static Reading alarm(long seq) {
        ObjectNode data = JsonNodeFactory.instance.objectNode().put("event", "alarm").put("level", "alarm");
        return new Reading("sensor-1", DeviceType.SMOKE_DETECTOR, Kind.EVENT, System.currentTimeMillis(), null, seq,
                Set.of(), data);
    }
}
