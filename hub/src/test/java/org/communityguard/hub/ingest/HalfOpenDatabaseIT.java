package org.communityguard.hub.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.testkit.Database;
import org.communityguard.testkit.FaultProxy;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A database connection that goes silent mid-transaction (no reset, no error: a half-open TCP
 * connection) must not stall alarms: the hub gives up on it, takes a fresh connection and
 * commits (issue 12, item 5). The hub reaches PostgreSQL through a {@link FaultProxy}.
 */
@ExtendWith(RealServers.class)
class HalfOpenDatabaseIT {

    private static final String TOPIC = "uplink/v1/" + HubFixture.GATEWAY + "/batch";

    private static byte[] batch(String... readings) {
        return ("{\"v\": 1, \"gateway\": \"" + HubFixture.GATEWAY + "\", \"batch\": \"" + UUID.randomUUID()
                + "\", \"readings\": [" + String.join(",", readings) + "]}").getBytes(StandardCharsets.UTF_8);
    }

    private static String alarm(String device, long rx) {
        return "{\"device\": \"" + device + "\", \"type\": \"smoke_detector\", \"kind\": \"event\", \"rx\": " + rx
                + ", \"data\": {\"event\": \"alarm\", \"level\": \"alarm\"}}";
    }

    private static String telemetry(String device, long rx) {
        return "{\"device\": \"" + device + "\", \"type\": \"lamp_post\", \"kind\": \"telemetry\", \"rx\": " + rx
                + ", \"data\": {\"lamp_on\": true}}";
    }

    /** One writer, reaching PostgreSQL through the proxy. */
    private static Hub hubThrough(FaultProxy proxy, Database db) throws SQLException {
        return HubFixture.start(db, Map.of(
                "HUB_DB_URL", "jdbc:postgresql://" + proxy.host() + ":" + proxy.port() + "/" + db.name(),
                "HUB_DB_POOL_SIZE", "2", "HUB_INGEST_WRITERS", "1",
                // Far longer than the waits below: the alarm must not wait for a resend.
                "HUB_INGEST_RETRY_TIMEOUT", "10m"));
    }

    /** Silent while the writer waits to claim the batch key: it holds nothing yet. */
    @Test
    void anAlarmCommitsThroughAFreshConnectionWhenTheWritersConnectionGoesSilent(TimescaleDb timescale) throws Exception {
        silenceTheWriterWhileItWaits(timescale, "LOCK TABLE uplink_batches IN SHARE ROW EXCLUSIVE MODE",
                "INSERT INTO uplink_batches%");
    }

    /**
     * Silent after the writer claimed the batch key and began its COPY: the server keeps that
     * transaction (and the key's row lock) while it waits for COPY data that never comes, and no
     * statement timeout ends a wait for the client. The retry on a fresh connection waits on the
     * key until the hub ends the silent connection's backend itself (bench.sh faults half-open-db,
     * seed 43: alarms 15 s late; on a real network until the server's TCP keepalive, hours).
     */
    @Test
    void anAlarmIsNotHeldByTheSilentTransactionOfACopy(TimescaleDb timescale) throws Exception {
        silenceTheWriterWhileItWaits(timescale, "LOCK TABLE readings IN SHARE MODE", "COPY readings%");
    }

    /**
     * Holds the writer inside a statement (behind {@code lockSql}, until it waits in a query like
     * {@code waitingQuery}), silences its connection, and lets it go on.
     */
    private static void silenceTheWriterWhileItWaits(TimescaleDb timescale, String lockSql, String waitingQuery)
            throws Exception {
        Database db = timescale.createDatabase();
        long rx = System.currentTimeMillis();
        try (FaultProxy proxy = FaultProxy.to(timescale.host(), timescale.port());
             Hub hub = hubThrough(proxy, db);
             UplinkTestClient gw = new UplinkTestClient(hub.uplinkPort(), HubFixture.GATEWAY, HubFixture.GATEWAY_SECRET);
             Connection lock = db.connect();
             Connection direct = db.connect()) {
            try {
                assertThat(gw.publish(TOPIC, batch(telemetry("lamp-b2-01", rx))).reasonCode()).isZero();
                lock.setAutoCommit(false);
                try (Statement st = lock.createStatement()) {
                    st.execute(lockSql);
                }
                CompletableFuture<UplinkTestClient.Ack> ack = gw.publishAsync(TOPIC, batch(alarm("smoke-b2-02", rx + 1)));
                await().atMost(30, TimeUnit.SECONDS).until(() -> count(direct, "SELECT count(*) FROM pg_stat_activity"
                        + " WHERE wait_event_type = 'Lock' AND query LIKE '" + waitingQuery + "'") == 1);
                proxy.blackhole();
                lock.commit();

                assertThat(ack.get(60, TimeUnit.SECONDS).reasonCode()).as("the alarm's PUBACK").isZero();
                assertThat(count(direct, "SELECT count(*) FROM incidents WHERE type = 'FIRE' AND device_id = 'smoke-b2-02'"
                        + " AND is_open")).isEqualTo(1);
                assertThat(count(direct, "SELECT count(*) FROM readings WHERE device_id = 'smoke-b2-02'"))
                        .as("stored once, though the silent transaction may have got far").isEqualTo(1);

                // The writer is not wedged: the next batch goes through as well, while the silent
                // connection is still silent.
                assertThat(gw.publish(TOPIC, batch(telemetry("lamp-b2-03", rx + 2))).reasonCode()).isZero();
                assertThat(count(direct, "SELECT count(*) FROM readings WHERE device_id = 'lamp-b2-03'")).isEqualTo(1);
            } finally {
                proxy.resume(); // else a hub that never noticed would take its retry timeout to close
            }
        }
    }

    private static long count(Connection c, String sql) throws Exception {
        try (Statement st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
