package org.communityguard.hub.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.communityguard.hub.ingest.UplinkTestClient.batch;
import static org.communityguard.hub.ingest.UplinkTestClient.reading;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.testkit.Database;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Gateways are bound to their devices (docs/uplink.md, "Readings the hub refuses"): a gateway's
 * routine readings of a device registered to another gateway or community are refused one by one,
 * while a safety alarm always gets through, flagged, and opens its incident where the device is
 * registered. Two gateways of a test community, each hub on its own database.
 */
@ExtendWith(RealServers.class)
class GatewayBindingIT {

    private static final String GW_A = "gw-north-a";
    private static final String GW_B = "gw-north-b";
    private static final String SECRET = "north-gateway-secret";
    private static final String GATEWAYS = GW_A + ":" + SECRET + "," + GW_B + ":" + SECRET + ","
            + HubFixture.GATEWAY + ":" + HubFixture.GATEWAY_SECRET;

    /** North Court: gateway A serves building N1, gateway B building N2. */
    private static final String NORTH = """
            community: north-court
            name: North Court
            gateways:
              - {id: gw-north-a, name: "Gateway A"}
              - {id: gw-north-b, name: "Gateway B"}
            buildings:
              - {id: N1, name: "North 1", grid: G1}
              - {id: N2, name: "North 2", grid: G1}
            devices:
              - {id: smoke-n1-01, type: smoke_detector, building: N1, gateway: gw-north-a, location: "1F hall"}
              - {id: smoke-n1-02, type: smoke_detector, building: N1, gateway: gw-north-a, location: "2F hall"}
              - {id: lamp-n1-01, type: lamp_post, building: N1, gateway: gw-north-a}
              - {id: smoke-n2-01, type: smoke_detector, building: N2, gateway: gw-north-b, location: "1F hall"}
              - {id: lamp-n2-01, type: lamp_post, building: N2, gateway: gw-north-b}
            """;

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger violations = (Logger) LoggerFactory.getLogger(Violations.class);
    private final long rx = System.currentTimeMillis();

    @TempDir
    Path dir;

    @BeforeEach
    void captureLog() {
        log.start();
        violations.addAppender(log);
    }

    @AfterEach
    void releaseLog() {
        violations.detachAppender(log);
    }

    private Hub hub(Database db, String site) throws Exception {
        Path file = dir.resolve(UUID.randomUUID() + ".yaml");
        Files.writeString(file, site);
        return HubFixture.start(db, Map.of("HUB_SITE_FILE", file.toString(), "HUB_UPLINK_GATEWAYS", GATEWAYS,
                "HUB_INGEST_MAX_UNPROVISIONED_DEVICES", "4"));
    }

    private static String fireAlarm(String device, long rx) {
        return reading(device, "smoke_detector", "event", rx, "{\"event\": \"alarm\", \"level\": \"alarm\"}");
    }

    private static UplinkTestClient.Ack send(Hub hub, String gateway, String secret, String... readings) throws Exception {
        try (UplinkTestClient gw = new UplinkTestClient(hub.uplinkPort(), gateway, secret)) {
            return gw.publish("uplink/v1/" + gateway + "/batch", batch(gateway, readings));
        }
    }

    private List<String> warnings() {
        return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void aGatewayIsRefusedAnotherGatewaysTelemetryButItsFireAlarmOpensTheFireWhereTheDeviceIs(TimescaleDb timescale)
            throws Exception {
        try (Hub hub = hub(timescale.createDatabase(), NORTH)) {
            UplinkTestClient.Ack ack = send(hub, GW_A, SECRET,
                    reading("lamp-n1-01", "lamp_post", "telemetry", rx, "{\"lamp_on\": true}"),
                    reading("lamp-n2-01", "lamp_post", "telemetry", rx + 1, "{\"lamp_on\": true}"),
                    reading("smoke-n2-01", "smoke_detector", "telemetry", rx + 2, "{\"smoke_obscuration_pct_m\": 0.1}"),
                    fireAlarm("smoke-n2-01", rx + 3),
                    reading("smoke-n1-01", "smoke_detector", "telemetry", rx + 4, "{\"battery_pct\": 90}"));

            assertThat(ack.reasonCode()).as("the batch is stored").isZero();
            assertThat(ack.rejected()).isEqualTo("2");
            assertThat(ack.reasonString()).contains("index 1").contains("device_of_another_gateway").contains(GW_B);

            assertThat(HubFixture.count(hub, "SELECT count(*) FROM readings WHERE device_id IN ('lamp-n1-01', 'smoke-n1-01')"
                    + " AND flags IS NULL")).as("the gateway's own devices").isEqualTo(2);
            assertThat(HubFixture.count(hub, "SELECT count(*) FROM readings WHERE device_id = 'lamp-n2-01'")).isZero();
            assertThat(HubFixture.count(hub, "SELECT count(*) FROM readings WHERE device_id = 'smoke-n2-01'"))
                    .as("the alarm only").isEqualTo(1);
            assertThat(HubFixture.count(hub, "SELECT count(*) FROM readings WHERE device_id = 'smoke-n2-01' AND kind = 'event'"
                    + " AND gateway_id = '" + GW_A + "' AND 'foreign_gateway' = ANY(flags)")).isEqualTo(1);

            assertThat(HubFixture.count(hub, "SELECT count(*) FROM incidents WHERE type = 'FIRE' AND device_id = 'smoke-n2-01'"
                    + " AND building_id = 'N2' AND community_id = 'north-court' AND gateway_id = '" + GW_A + "'"
                    + " AND summary LIKE '%North 2 (1F hall)%' AND summary LIKE '%reported by gateway gw-north-a, not its own gateway gw-north-b%'"
                    + " AND details->>'foreign_gateway' = 'true'")).isEqualTo(1);

            assertThat(PoisonReadingIT.gauge(hub, "hub_readings_rejected_total{reason=\"device_of_another_gateway\"}"))
                    .isEqualTo(2.0);
            assertThat(PoisonReadingIT.gauge(hub, "hub_foreign_safety_alarms_total{reason=\"device_of_another_gateway\"}"))
                    .isEqualTo(1.0);
            assertThat(warnings()).anyMatch(l -> l.contains(GW_A) && l.contains("device_of_another_gateway")
                    && l.contains("lamp-n2-01"));
            assertThat(warnings()).anyMatch(l -> l.contains(GW_A) && l.contains("smoke-n2-01") && l.contains("kept"));

            // The device's own gateway is not affected.
            UplinkTestClient.Ack own = send(hub, GW_B, SECRET,
                    reading("smoke-n2-01", "smoke_detector", "telemetry", rx + 5, "{\"smoke_obscuration_pct_m\": 0.1}"));
            assertThat(own.rejected()).isNull();
            assertThat(HubFixture.count(hub, "SELECT count(*) FROM readings WHERE device_id = 'smoke-n2-01'"
                    + " AND gateway_id = '" + GW_B + "' AND flags IS NULL")).isEqualTo(1);
        }
    }

    @Test
    void devicesInNoRegistryAreStoredFlaggedTheirAlarmsLocatedAtTheGatewayAndListedUpToABound(TimescaleDb timescale)
            throws Exception {
        try (Hub hub = hub(timescale.createDatabase(), NORTH)) {
            UplinkTestClient.Ack first = send(hub, GW_A, SECRET,
                    reading("stray-lamp-1", "lamp_post", "telemetry", rx, "{\"lamp_on\": true}"),
                    fireAlarm("stray-smoke-1", rx + 1));
            assertThat(first.rejected()).isNull();
            assertThat(HubFixture.count(hub, "SELECT count(*) FROM readings WHERE device_id IN ('stray-lamp-1', 'stray-smoke-1')"
                    + " AND 'unprovisioned' = ANY(flags)")).as("flagged by the hub: the gateway did not").isEqualTo(2);
            assertThat(HubFixture.count(hub, "SELECT count(*) FROM incidents WHERE type = 'FIRE' AND device_id = 'stray-smoke-1'"
                    + " AND building_id IS NULL AND community_id = 'north-court' AND gateway_id = '" + GW_A + "'"
                    + " AND summary LIKE '%(not a registered device; located at gateway gw-north-a, Gateway A)'"))
                    .isEqualTo(1);
            assertThat(HubFixture.count(hub, "SELECT count(*) FROM devices WHERE NOT provisioned AND gateway_id = '" + GW_A
                    + "' AND community_id = 'north-court'")).as("listed for someone to provision").isEqualTo(2);

            // A gateway inventing device ids: all stored, flagged, but only 4 (the bound) listed.
            UplinkTestClient.Ack flood = send(hub, GW_A, SECRET,
                    reading("stray-lamp-2", "lamp_post", "telemetry", rx + 2, "{\"lamp_on\": true}"),
                    reading("stray-lamp-3", "lamp_post", "telemetry", rx + 3, "{\"lamp_on\": true}"),
                    reading("stray-lamp-4", "lamp_post", "telemetry", rx + 4, "{\"lamp_on\": true}"),
                    reading("stray-lamp-5", "lamp_post", "telemetry", rx + 5, "{\"lamp_on\": true}"),
                    fireAlarm("stray-smoke-2", rx + 6));
            assertThat(flood.rejected()).isNull();
            assertThat(HubFixture.count(hub, "SELECT count(*) FROM readings WHERE device_id LIKE 'stray-%'"
                    + " AND 'unprovisioned' = ANY(flags)")).isEqualTo(7);
            assertThat(HubFixture.count(hub, "SELECT count(*) FROM devices WHERE NOT provisioned AND gateway_id = '" + GW_A + "'"))
                    .isEqualTo(4);
            assertThat(PoisonReadingIT.gauge(hub, "hub_unprovisioned_devices_unlisted_total")).isEqualTo(3.0);
            assertThat(HubFixture.count(hub, "SELECT count(*) FROM incidents WHERE type = 'FIRE' AND device_id = 'stray-smoke-2'"
                    + " AND summary LIKE '%located at gateway gw-north-a%'")).as("past the bound, alarms still raise").isEqualTo(1);
        }
    }

    /**
     * A device moved to another gateway: the site file is changed and one hub restarted with it.
     * Another hub of the same database follows at once; the old gateway's buffered readings
     * of the device, delivered late, lose their telemetry but keep their alarm.
     */
    @Test
    void aMovedDeviceBelongsToItsNewGatewayOnEveryHub(TimescaleDb timescale) throws Exception {
        Database db = timescale.createDatabase();
        try (Hub running = hub(db, NORTH)) {
            assertThat(PoisonReadingIT.gauge(running, "hub_registry_devices")).isEqualTo(5.0);
            String moved = NORTH.replace("smoke-n1-02, type: smoke_detector, building: N1, gateway: gw-north-a",
                            "smoke-n1-02, type: smoke_detector, building: N1, gateway: gw-north-b")
                    + "  - {id: lamp-n2-02, type: lamp_post, building: N2, gateway: gw-north-b}\n";
            try (Hub restarted = hub(db, moved)) {
                assertThat(PoisonReadingIT.gauge(restarted, "hub_registry_devices")).isEqualTo(6.0);
            }
            await().atMost(30, TimeUnit.SECONDS).until(() -> PoisonReadingIT.gauge(running, "hub_registry_devices") == 6.0);

            UplinkTestClient.Ack late = send(running, GW_A, SECRET,
                    reading("smoke-n1-02", "smoke_detector", "telemetry", rx, "{\"battery_pct\": 80}"),
                    fireAlarm("smoke-n1-02", rx + 1));
            assertThat(late.rejected()).isEqualTo("1");
            assertThat(late.reasonString()).contains("index 0").contains("device_of_another_gateway");
            UplinkTestClient.Ack fresh = send(running, GW_B, SECRET,
                    reading("smoke-n1-02", "smoke_detector", "telemetry", rx + 2, "{\"battery_pct\": 79}"));
            assertThat(fresh.rejected()).isNull();

            assertThat(HubFixture.count(running, "SELECT count(*) FROM readings WHERE device_id = 'smoke-n1-02'"
                    + " AND gateway_id = '" + GW_A + "' AND kind = 'event' AND 'foreign_gateway' = ANY(flags)")).isEqualTo(1);
            assertThat(HubFixture.count(running, "SELECT count(*) FROM readings WHERE device_id = 'smoke-n1-02'"
                    + " AND gateway_id = '" + GW_A + "' AND kind = 'telemetry'")).isZero();
            assertThat(HubFixture.count(running, "SELECT count(*) FROM readings WHERE device_id = 'smoke-n1-02'"
                    + " AND gateway_id = '" + GW_B + "' AND flags IS NULL")).isEqualTo(1);
            assertThat(HubFixture.count(running, "SELECT count(*) FROM incidents WHERE type = 'FIRE' AND device_id = 'smoke-n1-02'"
                    + " AND building_id = 'N1' AND summary LIKE '%reported by gateway gw-north-a, not its own gateway gw-north-b%'"))
                    .isEqualTo(1);
        }
    }

    /** Another community's device, learned by a hub that started before that community was loaded. */
    @Test
    void aGatewayOfOneCommunityIsRefusedTheTelemetryOfAnotherCommunitysDevice(TimescaleDb timescale) throws Exception {
        Database db = timescale.createDatabase();
        try (Hub sunny = HubFixture.start(db, Map.of("HUB_UPLINK_GATEWAYS", GATEWAYS))) {
            try (Hub north = hub(db, NORTH)) {
                assertThat(north.uplinkPort()).isPositive();
            }
            await().atMost(30, TimeUnit.SECONDS).until(() -> PoisonReadingIT.gauge(sunny, "hub_registry_devices") == 42.0 + 5);

            UplinkTestClient.Ack ack = send(sunny, HubFixture.GATEWAY, HubFixture.GATEWAY_SECRET,
                    reading("smoke-n2-01", "smoke_detector", "telemetry", rx, "{\"battery_pct\": 80}"),
                    fireAlarm("smoke-n2-01", rx + 1),
                    reading("smoke-b1-01", "smoke_detector", "telemetry", rx + 2, "{\"battery_pct\": 81}"));
            assertThat(ack.rejected()).isEqualTo("1");
            assertThat(ack.reasonString()).contains("index 0").contains("device_of_another_community");

            assertThat(HubFixture.count(sunny, "SELECT count(*) FROM readings WHERE device_id = 'smoke-n2-01'"
                    + " AND kind = 'event' AND 'foreign_community' = ANY(flags)")).isEqualTo(1);
            assertThat(HubFixture.count(sunny, "SELECT count(*) FROM readings WHERE device_id = 'smoke-b1-01'")).isEqualTo(1);
            assertThat(HubFixture.count(sunny, "SELECT count(*) FROM incidents WHERE type = 'FIRE' AND device_id = 'smoke-n2-01'"
                    + " AND community_id = 'north-court' AND building_id = 'N2' AND details->>'foreign_community' = 'true'"))
                    .isEqualTo(1);
            assertThat(PoisonReadingIT.gauge(sunny, "hub_readings_rejected_total{reason=\"device_of_another_community\"}"))
                    .isEqualTo(1.0);
            assertThat(PoisonReadingIT.gauge(sunny, "hub_foreign_safety_alarms_total{reason=\"device_of_another_community\"}"))
                    .isEqualTo(1.0);
        }
    }
}
