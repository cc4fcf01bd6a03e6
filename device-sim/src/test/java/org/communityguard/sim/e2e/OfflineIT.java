package org.communityguard.sim.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.communityguard.edge.EdgeAgent;
import org.communityguard.edge.config.EdgeSettings;
import org.communityguard.hub.Hub;
import org.communityguard.sim.SimConfig;
import org.communityguard.sim.Simulation;
import org.communityguard.sim.bench.edge.EdgeLoad;
import org.communityguard.sim.site.SiteLoader;
import org.communityguard.testkit.Database;
import org.communityguard.testkit.Mosquitto;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hours offline: the hub is unreachable while 30,000 readings arrive (an hour of a 500-device
 * site at one reading a minute; how long the outage lasted makes no difference to the agent,
 * only how much it holds), then comes back. The backlog drains at the configured rate, every
 * reading arrives once, and an alarm raised during the drain jumps the queue: it is stored before
 * readings the gateway held before it was raised. (How fast it gets there is a benchmark's
 * question, not this test's: a loaded test machine says nothing about a gateway's latency.)
 * Along the way: a device's will message becomes an offline status at the hub, devices the site
 * file does not know are listed as unprovisioned, and the gateway's health is visible.
 */
@ExtendWith(RealServers.class)
class OfflineIT {

    /**
     * The default drain rate: the 29,000 readings still queued when the alarm is raised take at
     * least 14 s to leave, so there is a backlog for the alarm to overtake however slow the
     * machine is (seconds of alarm latency were seen on a loaded one).
     */
    private static final int DRAIN_PER_S = 2000;
    private static final String ALARM = "device_id = 'door-b1-01' AND data->>'event' = 'forced_open'";

    @Test
    void aLongOutageDrainsInOrderOnceAndAlarmsJumpTheQueue(TimescaleDb timescale, Mosquitto mosquitto, @TempDir Path tmp)
            throws Exception {
        Database db = timescale.createDatabase();
        int hubPort = Ports.freeTcp();
        Map<String, String> env = Chain.edgeEnv(mosquitto.tcpUrl(), "tcp://127.0.0.1:" + hubPort, tmp.resolve("buffer"));
        env.put("EDGE_COAP_PORT", "0");
        env.put("EDGE_METRICS_PORT", "0");
        env.put("EDGE_UPLINK_DRAIN_RATE", Integer.toString(DRAIN_PER_S));
        env.put("EDGE_HEALTH_INTERVAL", "1s");
        try (EdgeAgent edge = EdgeAgent.start(org.communityguard.edge.config.Config.load(EdgeSettings.ALL, null, env));
             Simulation sim = new Simulation(SimConfig.of(SiteLoader.load(Chain.SITE), mosquitto.tcpUrl(),
                     java.net.URI.create("coap://127.0.0.1:" + edge.coapPort())).withInterval(Duration.ZERO)
                     .withDevices(java.util.Set.of("door-b1-01", "door-b2-01", "smoke-b1-01")))) {
            sim.start();
            assertThat(sim.awaitConnected(Duration.ofSeconds(30))).isTrue();
            // The outage: 30,000 readings from 300 devices the site file does not list, and a
            // door controller dropping off the network (its will message says offline).
            EdgeLoad load = new EdgeLoad(mosquitto.tcpUrl(), java.net.URI.create("coap://127.0.0.1:" + edge.coapPort()),
                    "outage", 250, 50, 2);
            try (load) {
                load.sendRounds(100);
                assertThat(load.awaitSettled(Duration.ofSeconds(120))).isTrue();
            }
            assertThat(load.failed()).isZero();
            sim.silence("door-b2-01");
            await().atMost(Duration.ofSeconds(60)).until(() -> edge.buffer().pendingReadings() >= 30_000);
            assertThat(edge.uplinkConnected()).isFalse();

            try (Hub hub = Chain.startHub(Chain.hubEnv(db, hubPort))) {
                // The hub is back: once the drain is under way, a door is forced open.
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                        .until(() -> storedLoad(hub) > 1_000);
                sim.forceDoor("door-b1-01");
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                        .until(() -> Chain.count(hub, "SELECT count(*) FROM readings WHERE " + ALARM) > 0);

                await().atMost(Duration.ofSeconds(120)).until(() -> edge.buffer().pendingReadings() == 0
                        && storedLoad(hub) >= 30_000);
                // The alarm jumped the queue: readings the gateway held before it was raised (all
                // 30,000 were buffered before the hub came back) were stored by later transactions
                // than the alarm. PostgreSQL numbers transactions in the order they first write (a
                // row's xmin), and the hub writes a gateway's batches in order, so without the
                // priority lane the alarm would come after every one of them.
                long overtaken = Chain.count(hub, "SELECT count(*) FROM readings WHERE device_id LIKE 'outage-%'"
                        + " AND xmin::text::bigint > (SELECT min(xmin::text::bigint) FROM readings WHERE " + ALARM + ")");
                System.out.printf("OfflineIT: the alarm was stored before %d of the readings queued ahead of it%n", overtaken);
                assertThat(overtaken).as("backlog readings stored after the alarm that was raised after them").isPositive();
                List<String> problems = Chain.storedOnceProblems(load.acknowledgedSeqs(), load.acknowledgedSeqs(),
                        onlyLoad(Chain.storedSeqs(hub)));
                assertThat(problems).as("every reading of the outage stored exactly once").isEmpty();
                assertThat(Chain.count(hub, "SELECT count(*) FROM readings WHERE device_id LIKE 'outage-%'")).isEqualTo(30_000);
                // The will message became an offline status with its reason, sent through the backlog.
                // (The latest one: the test broker is shared, so earlier tests' devices left statuses too.)
                assertThat(Chain.text(hub, "SELECT (data->>'status') || ' ' || (data->>'reason') FROM readings"
                        + " WHERE device_id = 'door-b2-01' AND kind = 'status' ORDER BY received_at DESC LIMIT 1"))
                        .isEqualTo("offline will");
                // Unknown devices are registered unprovisioned and listed; the gateway reports its health.
                JsonNode unprovisioned = Chain.api(hub, "/api/devices?provisioned=false").path("devices");
                assertThat(unprovisioned).hasSize(300);
                assertThat(unprovisioned.get(0).path("gateway_id").asText()).isEqualTo(Chain.GATEWAY);
                assertThat(unprovisioned.get(0).path("community_id").asText()).isEqualTo("sunny-garden");
                await().atMost(Duration.ofSeconds(10)).until(() ->
                        Chain.api(hub, "/api/gateways").path("gateways").get(0).path("health").path("uplink_connected").asBoolean());
                JsonNode gateway = Chain.api(hub, "/api/gateways").path("gateways").get(0);
                assertThat(gateway.path("id").asText()).isEqualTo(Chain.GATEWAY);
                assertThat(gateway.path("uplink_connected").asBoolean()).isTrue();
                for (String field : List.of("cpu_pct", "mem_used_pct", "disk_free_mb", "buffer_pending_readings",
                        "buffer_oldest_age_s", "uptime_s")) {
                    assertThat(gateway.path("health").path(field).isNumber()).as(field).isTrue();
                }
                // Health reports taken during the outage say so.
                assertThat(Chain.count(hub, "SELECT count(*) FROM readings WHERE device_type = 'gateway' AND kind = 'telemetry'"
                        + " AND data->>'uplink_connected' = 'false' AND (data->>'buffer_pending_readings')::bigint > 0")).isPositive();
            }
        }
    }

    private static long storedLoad(Hub hub) throws Exception {
        return Chain.count(hub, "SELECT count(*) FROM readings WHERE device_id LIKE 'outage-%'");
    }

    private static Map<String, Map<Long, Integer>> onlyLoad(Map<String, Map<Long, Integer>> stored) {
        Map<String, Map<Long, Integer>> out = new java.util.TreeMap<>();
        stored.forEach((device, seqs) -> {
            if (device.startsWith("outage-")) {
                out.put(device, seqs);
            }
        });
        return out;
    }
}
