package org.communityguard.hub.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.communityguard.hub.ingest.UplinkTestClient.reading;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.testkit.Database;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A safety alarm does not wait behind routine readings at the hub (issue 10): its batch is
 * committed on the safety lane while the routine transaction of the same gateway, on the same
 * (only) writer, is held up.
 */
@ExtendWith(RealServers.class)
class SafetyLaneIT {

    private static final String TOPIC = "uplink/v1/" + HubFixture.GATEWAY + "/batch";

    private static byte[] batch(String id, String... readings) {
        return ("{\"v\": 1, \"gateway\": \"" + HubFixture.GATEWAY + "\", \"batch\": \"" + id + "\", \"readings\": ["
                + String.join(",", readings) + "]}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anAlarmCommitsWhileTheRoutineTransactionAheadOfItIsHeldUp(TimescaleDb timescale) throws Exception {
        Database db = timescale.createDatabase();
        long rx = System.currentTimeMillis();
        try (Hub hub = HubFixture.start(db, Map.of("HUB_INGEST_WRITERS", "1",
                // Held far longer than the test takes: the routine batch must not be given up meanwhile.
                "HUB_INGEST_DB_TIMEOUT", "2m", "HUB_INGEST_RETRY_TIMEOUT", "10m"));
             UplinkTestClient gw = new UplinkTestClient(hub.uplinkPort(), HubFixture.GATEWAY, HubFixture.GATEWAY_SECRET);
             Connection holder = db.connect();
             Connection direct = db.connect()) {
            // An uncommitted claim of the routine batch's key: the writer's claim of it waits.
            holder.setAutoCommit(false);
            try (PreparedStatement ps = holder.prepareStatement(
                    "INSERT INTO uplink_batches (gateway_id, batch_id, readings, rejected) VALUES (?, 'routine-1', 1, 0)")) {
                ps.setString(1, HubFixture.GATEWAY);
                ps.executeUpdate();
            }
            CompletableFuture<UplinkTestClient.Ack> routine = gw.publishAsync(TOPIC, batch("routine-1",
                    reading("lamp-b1-01", "lamp_post", "telemetry", rx, "{\"lamp_on\": true}")));
            await().atMost(30, TimeUnit.SECONDS).until(() -> count(direct, "SELECT count(*) FROM pg_stat_activity"
                    + " WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO uplink_batches%'") == 1);

            CompletableFuture<UplinkTestClient.Ack> alarm = gw.publishAsync(TOPIC, batch("alarm-1",
                    reading("smoke-b1-01", "smoke_detector", "event", rx + 1, "{\"event\": \"alarm\", \"level\": \"alarm\"}")));
            try {
                assertThat(alarm.get(20, TimeUnit.SECONDS).reasonCode()).as("the alarm's PUBACK").isZero();
                assertThat(count(direct, "SELECT count(*) FROM incidents WHERE type = 'FIRE' AND device_id = 'smoke-b1-01'"
                        + " AND is_open")).isEqualTo(1);
                assertThat(routine).as("the routine batch is still held").isNotDone();
            } finally {
                holder.rollback();
            }

            assertThat(routine.get(30, TimeUnit.SECONDS).reasonCode()).as("the routine batch's PUBACK").isZero();
            assertThat(count(direct, "SELECT count(*) FROM readings WHERE device_id IN ('lamp-b1-01', 'smoke-b1-01')"))
                    .as("each stored once").isEqualTo(2);
        }
    }

    private static long count(Connection c, String sql) throws Exception {
        try (Statement st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
