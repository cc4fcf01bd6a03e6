package org.communityguard.hub.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.communityguard.hub.ingest.UplinkTestClient.batch;
import static org.communityguard.hub.ingest.UplinkTestClient.reading;

import java.io.InputStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
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
 * One reading the database refuses must never hold back the others: not the alarm in the same
 * batch, not another gateway's batches on the same writer (issue 12, item 3).
 */
@ExtendWith(RealServers.class)
class PoisonReadingIT {

    private static final String TOPIC_A = "uplink/v1/" + HubFixture.GATEWAY + "/batch";
    private static final String GATEWAY_B = "gw-poison-b";
    private static final String SECRET_B = "second-gateway-secret";
    private static final String TOPIC_B = "uplink/v1/" + GATEWAY_B + "/batch";
    /** Retrying a refused group this long (the old behaviour) would outlast every wait below. */
    private static final Map<String, String> ONE_WRITER = Map.of("HUB_INGEST_WRITERS", "1",
            "HUB_INGEST_RETRY_TIMEOUT", "10m",
            "HUB_UPLINK_GATEWAYS", HubFixture.GATEWAY + ":" + HubFixture.GATEWAY_SECRET + "," + GATEWAY_B + ":" + SECRET_B);

    @Test
    void readingsPostgresWouldRefuseAreRejectedAndTheAlarmBesideThemOpensItsFire(TimescaleDb timescale) throws Exception {
        try (Hub hub = HubFixture.start(timescale.createDatabase(), Map.of());
             UplinkTestClient gw = new UplinkTestClient(hub.uplinkPort(), HubFixture.GATEWAY, HubFixture.GATEWAY_SECRET);
             InputStream sample = getClass().getResourceAsStream("/uplink/batch-unstorable.json")) {
            UplinkTestClient.Ack ack = gw.publish(TOPIC_A, sample.readAllBytes());

            assertThat(ack.reasonCode()).isZero();
            assertThat(ack.rejected()).isEqualTo("6");
            assertThat(ack.reasonString()).contains("index 0").contains("U+0000");
            assertThat(HubFixture.count(hub, "SELECT count(*) FROM incidents WHERE type = 'FIRE' AND device_id = 'smoke-b3-01'"
                    + " AND is_open")).isEqualTo(1);
            assertThat(HubFixture.count(hub, "SELECT count(*) FROM readings WHERE device_id LIKE '%-b3-01'")).isEqualTo(1);
            assertThat(List.of(hub.scrapeMetrics().split("\n"))).anyMatch(
                    l -> l.startsWith("hub_readings_rejected_total{reason=\"nul_character\"} 2.0"));
        }
    }

    /**
     * The poison here is one the codec cannot know: a CHECK constraint of this test's database
     * refuses readings whose data has a "poison" key. The writer is held on a lock while the
     * poisoned batch and another gateway's batches queue up, so they meet in one transaction.
     */
    @Test
    void aReadingTheDatabaseRefusesIsIsolatedAndNothingElseWaits(TimescaleDb timescale) throws Exception {
        Database db = timescale.createDatabase();
        try (Hub hub = HubFixture.start(db, ONE_WRITER);
             UplinkTestClient a = new UplinkTestClient(hub.uplinkPort(), HubFixture.GATEWAY, HubFixture.GATEWAY_SECRET);
             UplinkTestClient b = new UplinkTestClient(hub.uplinkPort(), GATEWAY_B, SECRET_B);
             Connection test = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
            long rx = System.currentTimeMillis();
            try (Statement st = test.createStatement()) {
                st.execute("ALTER TABLE readings ADD CONSTRAINT test_poison CHECK (NOT data ? 'poison')");
            }
            test.setAutoCommit(false);
            try (Statement st = test.createStatement()) {
                st.execute("LOCK TABLE uplink_batches IN SHARE ROW EXCLUSIVE MODE");
            }
            CompletableFuture<UplinkTestClient.Ack> first = b.publishAsync(TOPIC_B,
                    batch(GATEWAY_B, reading("poison-b-1", "manhole", "telemetry", rx, "{\"water_below_cover_cm\": 80}")));
            await().atMost(30, TimeUnit.SECONDS).until(() -> HubFixture.count(hub,
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO uplink_batches%'") == 1);

            CompletableFuture<UplinkTestClient.Ack> poisoned = a.publishAsync(TOPIC_A, batch(HubFixture.GATEWAY,
                    reading("lamp-b3-02", "lamp_post", "telemetry", rx, "{\"lamp_on\": true}"),
                    reading("manhole-b3-02", "manhole", "telemetry", rx + 1, "{\"poison\": true}"),
                    reading("smoke-b3-02", "smoke_detector", "event", rx + 2, "{\"event\": \"alarm\", \"level\": \"alarm\"}"),
                    reading("lamp-b3-03", "lamp_post", "telemetry", rx + 3, "{\"lamp_on\": false}")));
            CompletableFuture<UplinkTestClient.Ack> second = b.publishAsync(TOPIC_B,
                    batch(GATEWAY_B, reading("poison-b-2", "manhole", "telemetry", rx, "{\"water_below_cover_cm\": 81}")));
            CompletableFuture<UplinkTestClient.Ack> third = b.publishAsync(TOPIC_B,
                    batch(GATEWAY_B, reading("poison-b-3", "manhole", "telemetry", rx, "{\"water_below_cover_cm\": 82}")));
            // All three wait behind the first: released together, they form one group.
            await().atMost(30, TimeUnit.SECONDS).until(() -> gauge(hub, "hub_ingest_queue_readings") == 7.0);
            test.commit();

            UplinkTestClient.Ack ack = poisoned.get(60, TimeUnit.SECONDS);
            assertThat(ack.reasonCode()).isZero();
            assertThat(ack.rejected()).isEqualTo("1");
            assertThat(ack.reasonString()).contains("index 1").contains("23514");
            for (CompletableFuture<UplinkTestClient.Ack> other : List.of(first, second, third)) {
                assertThat(other.get(60, TimeUnit.SECONDS).reasonCode()).isZero();
            }

            assertThat(HubFixture.count(hub, "SELECT count(*) FROM incidents WHERE type = 'FIRE' AND device_id = 'smoke-b3-02'"
                    + " AND is_open")).isEqualTo(1);
            assertThat(HubFixture.count(hub, "SELECT count(*) FROM readings WHERE device_id IN ('lamp-b3-02', 'smoke-b3-02',"
                    + " 'lamp-b3-03', 'poison-b-1', 'poison-b-2', 'poison-b-3')")).isEqualTo(6);
            assertThat(HubFixture.count(hub, "SELECT count(*) FROM readings WHERE device_id = 'manhole-b3-02'")).isZero();
            assertThat(HubFixture.count(hub, "SELECT readings * 10 + rejected FROM uplink_batches WHERE gateway_id = '"
                    + HubFixture.GATEWAY + "'")).as("3 stored, 1 refused").isEqualTo(31);
            assertThat(gauge(hub, "hub_readings_rejected_total{reason=\"refused_by_database\"}")).isEqualTo(1.0);
            assertThat(gauge(hub, "hub_batches_retry_later_total")).isZero();
        }
    }

    /**
     * A database that refuses every reading (here a CHECK no reading passes, as a schema fault
     * would) is not a poisonous reading: nothing is given up, the gateway is told to resend,
     * and once the fault is mended the resent batch is stored whole.
     */
    @Test
    void aDatabaseRefusingEveryReadingLosesNoneOfThem(TimescaleDb timescale) throws Exception {
        Database db = timescale.createDatabase();
        try (Hub hub = HubFixture.start(db, ONE_WRITER);
             UplinkTestClient a = new UplinkTestClient(hub.uplinkPort(), HubFixture.GATEWAY, HubFixture.GATEWAY_SECRET);
             Connection test = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             Statement st = test.createStatement()) {
            long rx = System.currentTimeMillis();
            st.execute("ALTER TABLE readings ADD CONSTRAINT test_refuse_all CHECK (device_id = 'nobody') NOT VALID");
            byte[] payload = batch(HubFixture.GATEWAY,
                    reading("lamp-b3-02", "lamp_post", "telemetry", rx, "{\"lamp_on\": true}"),
                    reading("smoke-b3-02", "smoke_detector", "event", rx + 1, "{\"event\": \"alarm\", \"level\": \"alarm\"}"));

            UplinkTestClient.Ack refused = a.publish(TOPIC_A, payload);
            assertThat(refused.reasonCode()).as("resend later, nothing refused for good").isEqualTo(0x97);
            assertThat(HubFixture.count(hub, "SELECT count(*) FROM uplink_batches")).isZero();
            assertThat(gauge(hub, "hub_readings_rejected_total{reason=\"refused_by_database\"}")).isZero();

            st.execute("ALTER TABLE readings DROP CONSTRAINT test_refuse_all");
            UplinkTestClient.Ack stored = a.publish(TOPIC_A, payload);
            assertThat(stored.reasonCode()).isZero();
            assertThat(HubFixture.count(hub, "SELECT count(*) FROM readings WHERE device_id IN ('lamp-b3-02', 'smoke-b3-02')"))
                    .isEqualTo(2);
            assertThat(HubFixture.count(hub, "SELECT count(*) FROM incidents WHERE type = 'FIRE' AND device_id = 'smoke-b3-02'"))
                    .isEqualTo(1);
        }
    }

    static double gauge(Hub hub, String name) {
        for (String line : hub.scrapeMetrics().split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(line.indexOf(' ') + 1));
            }
        }
        return 0;
    }
}
