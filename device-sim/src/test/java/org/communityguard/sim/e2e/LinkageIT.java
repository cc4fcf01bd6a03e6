package org.communityguard.sim.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.communityguard.edge.EdgeAgent;
import org.communityguard.edge.config.EdgeSettings;
import org.communityguard.hub.Hub;
import org.communityguard.sim.ReceivedCommand;
import org.communityguard.sim.SimConfig;
import org.communityguard.sim.Simulation;
import org.communityguard.sim.site.SiteLoader;
import org.communityguard.testkit.Database;
import org.communityguard.testkit.Mosquitto;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Linkage at the edge with the hub down: a fire in building B1 releases B1's door locks and sets
 * B1's lamp-posts to full brightness and flashing, through the devices' own command channels, once
 * its first alarm is raised and before any hub exists; nothing happens in B2 or B3. When the hub
 * comes back it receives the alarm, the gateway's record of every action, and opens the FIRE
 * incident. (How fast the commands follow the alarm is a benchmark's question: on a loaded test
 * machine a latency bound only measures the machine.)
 */
@ExtendWith(RealServers.class)
class LinkageIT {

    @Test
    void aFireInB1OpensItsDoorsAndLightsItsLampsWithTheHubDown(TimescaleDb timescale, Mosquitto mosquitto,
                                                              @TempDir Path tmp) throws Exception {
        Database db = timescale.createDatabase();
        int hubPort = Ports.freeTcp();
        Map<String, String> env = Chain.edgeEnv(mosquitto.tcpUrl(), "tcp://127.0.0.1:" + hubPort, tmp.resolve("buffer"));
        env.put("EDGE_COAP_PORT", "0");
        env.put("EDGE_METRICS_PORT", "0");
        try (EdgeAgent edge = EdgeAgent.start(org.communityguard.edge.config.Config.load(EdgeSettings.ALL, null, env));
             Simulation sim = new Simulation(SimConfig.of(SiteLoader.load(Chain.SITE), mosquitto.tcpUrl(),
                     URI.create("coap://127.0.0.1:" + edge.coapPort())).withInterval(Duration.ZERO)
                     .withScenarioStep(Duration.ofMillis(300)))) {
            sim.start();
            assertThat(sim.awaitConnected(Duration.ofSeconds(30))).isTrue();
            assertThat(edge.uplinkConnected()).isFalse();

            sim.stageFire("B1").get();
            Set<String> expected = Set.of("door-b1-01", "door-b1-02", "lamp-b1-01", "lamp-b1-02", "lamp-b1-03", "lamp-b1-04");
            await().atMost(Duration.ofSeconds(10)).until(() -> sim.commandsReceived().stream()
                    .map(ReceivedCommand::deviceId).collect(Collectors.toSet()).containsAll(expected));
            List<ReceivedCommand> received = sim.commandsReceived();
            assertThat(received).extracting(ReceivedCommand::deviceId).doesNotHaveDuplicates()
                    .allMatch(expected::contains);
            for (ReceivedCommand c : received) {
                assertThat(c.applied()).isTrue();
                if (c.deviceId().startsWith("door-")) {
                    assertThat(c.command().cmd()).isEqualTo("door");
                    assertThat(c.command().text("action")).contains("release");
                    assertThat(sim.device(c.deviceId(), org.communityguard.sim.device.DoorAccess.class).locked()).isFalse();
                } else {
                    assertThat(c.command().cmd()).isEqualTo("lamp");
                    assertThat(c.command().bool("on")).contains(true);
                    assertThat(c.command().number("dim_pct")).contains(100.0);
                    assertThat(c.command().bool("flash")).contains(true);
                }
            }

            try (Hub hub = Chain.startHub(Chain.hubEnv(db, hubPort))) {
                await().atMost(Duration.ofSeconds(30)).until(() -> Chain.count(hub,
                        "SELECT count(*) FROM readings WHERE device_type = 'gateway' AND data->>'event' = 'linkage'") == 1);
                // Caused by the alarm: each device received its command after the first alarm was
                // sent (its ts, the simulator's clock when it sent it; receipt on the same clock),
                // and before the hub was started (the commands were all in before this block).
                long alarmTs = Chain.count(hub, "SELECT (extract(epoch FROM min(device_ts)) * 1000)::bigint FROM readings"
                        + " WHERE device_id LIKE 'smoke-b1-%' AND data->>'event' = 'alarm' AND data->>'level' = 'alarm'");
                for (ReceivedCommand c : received) {
                    assertThat(c.receivedAt().toEpochMilli()).as("%s got its command after the alarm", c.deviceId())
                            .isGreaterThanOrEqualTo(alarmTs);
                }
                String actions = Chain.text(hub, "SELECT data->'actions' FROM readings WHERE device_type = 'gateway'"
                        + " AND data->>'event' = 'linkage'");
                for (ReceivedCommand c : received) {
                    assertThat(actions).contains("\"" + c.deviceId() + "\"").contains("\"" + c.command().id() + "\"");
                }
                assertThat(Chain.text(hub, "SELECT data->>'rule' || ' ' || (data->>'trigger_device') || ' ' || (data->>'building')"
                        + " FROM readings WHERE device_type = 'gateway' AND data->>'event' = 'linkage'"))
                        .matches("fire-evacuation smoke-b1-\\d+ B1");
                await().atMost(Duration.ofSeconds(30)).until(() -> Chain.count(hub,
                        "SELECT count(*) FROM incidents WHERE type = 'FIRE' AND building_id = 'B1'") > 0);
            }
        }
    }
}
