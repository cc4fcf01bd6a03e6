package org.communityguard.hub.incident;

import static org.assertj.core.api.Assertions.assertThat;
import static org.communityguard.hub.incident.rules.Readings.telemetry;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.hub.audit.AuditLog;
import org.communityguard.hub.incident.threshold.Thresholds;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The liveness monitor pass by pass, on the hub's database, with time moved by ageing the stored
 * liveness columns (as if an outage had lasted that long). The hub's own monitor runs every 5
 * minutes here, so only this test's passes count.
 */
@ExtendWith(RealServers.class)
class LivenessMonitorIT {

    private static void sql(Hub hub, String statement) throws Exception {
        try (Connection c = hub.database().dataSource().getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate(statement);
        }
    }

    @Test
    void reconnectingAfterAnOutageOrAHubRestartIsNotSilence(TimescaleDb timescale) throws Exception {
        try (Hub hub = HubFixture.start(timescale.createDatabase(), Map.of("HUB_INCIDENT_LIVENESS_INTERVAL", "5m"))) {
            var ds = hub.database().dataSource();
            Thresholds thresholds = new Thresholds(ds, new AuditLog(Hub.jsonMapper()));
            IncidentDetector detector = new IncidentDetector(thresholds);
            IncidentRecorder recorder = new IncidentRecorder(new IncidentStore(Hub.jsonMapper()), thresholds,
                    Hub.jsonMapper(), new SimpleMeterRegistry());
            Set<String> connected = new HashSet<>();
            LivenessMonitor monitor = new LivenessMonitor(ds, detector, recorder, thresholds, IncidentListener.NONE,
                    () -> Set.copyOf(connected), Duration.ofMinutes(5));
            long now = System.currentTimeMillis();

            // Connected, two devices heard from.
            connected.add(HubFixture.GATEWAY);
            IncidentDetector.Round round = detector.round();
            round.detect(HubFixture.GATEWAY, List.of(telemetry("lamp-b1-01", "lamp_post", now, "{\"leakage_ma\": 1}"),
                    telemetry("door-b1-01", "door_access", now, "{\"door_open\": false}")));
            monitor.runOnce();
            assertThat(HubFixture.count(hub, "SELECT count(*) FROM devices WHERE last_seen_at IS NOT NULL")).isEqualTo(2);

            // The gateway's 4G drops; ten minutes later it is back, its buffered readings not yet delivered.
            connected.clear();
            monitor.runOnce();
            sql(hub, "UPDATE gateways SET last_seen_at = now() - interval '10 minutes',"
                    + " last_data_hub_at = now() - interval '10 minutes 30 seconds',"
                    + " connected_at = now() - interval '20 minutes' WHERE id = 'gw-sunny-1'");
            connected.add(HubFixture.GATEWAY);
            monitor.runOnce();
            assertThat(HubFixture.count(hub, "SELECT count(*) FROM incidents WHERE type = 'DEVICE_OFFLINE'"))
                    .as("the outage was the gateway's, not its devices'").isZero();

            // Idle on a live connection for ten minutes: now its devices are silent.
            sql(hub, "UPDATE gateways SET last_data_hub_at = now() - interval '10 minutes',"
                    + " connected_at = now() - interval '10 minutes' WHERE id = 'gw-sunny-1'");
            monitor.runOnce();
            assertThat(HubFixture.count(hub, "SELECT count(*) FROM incidents WHERE type = 'DEVICE_OFFLINE'"
                    + " AND device_id IN ('lamp-b1-01', 'door-b1-01')")).isEqualTo(2);

            // A gateway last connected an hour ago, before this monitor (the hub) started: it may be
            // reconnecting right now, so it is not reported yet.
            sql(hub, "INSERT INTO gateways (id, community_id, name, last_seen_at) VALUES"
                    + " ('gw-sunny-2', 'sunny-garden', 'Gateway 2', now() - interval '1 hour')");
            monitor.runOnce();
            assertThat(HubFixture.count(hub, "SELECT count(*) FROM incidents WHERE type = 'GATEWAY_OFFLINE'")).isZero();
        }
    }
}
