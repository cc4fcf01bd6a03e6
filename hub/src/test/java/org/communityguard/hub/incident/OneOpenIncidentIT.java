package org.communityguard.hub.incident;

import static org.assertj.core.api.Assertions.assertThat;
import static org.communityguard.hub.incident.Uplink.event;
import static org.communityguard.hub.incident.Uplink.telemetry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.testkit.Database;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One open incident per device and type, enforced by the database: three hub instances on one
 * database, four writer threads each, twelve gateway connections, all reporting the same alarming
 * devices at once. (ThingsBoard opens duplicate alarms in this situation, its issue #5652.)
 * The twelve gateways are not the devices' own (gw-sunny-1 is, in the demo site file): all they
 * send are safety alarms, which get through from any gateway, flagged {@code foreign_gateway}
 * (docs/uplink.md, "A gateway's devices").
 */
@ExtendWith(RealServers.class)
class OneOpenIncidentIT {

    private static final int HUBS = 3;
    private static final int GATEWAYS = 12;
    private static final int BATCHES = 8;
    private static final String SECRET = "concurrency-gateway-secret";

    @Test
    void manyHubsAndConnectionsHammeringOneDeviceOpenExactlyOneIncident(TimescaleDb timescale) throws Exception {
        Database db = timescale.createDatabase();
        StringBuilder gateways = new StringBuilder(HubFixture.GATEWAY + ":" + HubFixture.GATEWAY_SECRET);
        for (int g = 0; g < GATEWAYS; g++) {
            gateways.append(",gw-c").append(g).append(':').append(SECRET);
        }
        List<Hub> hubs = new ArrayList<>();
        List<Uplink> links = new ArrayList<>();
        ExecutorService senders = Executors.newFixedThreadPool(GATEWAYS);
        try {
            for (int h = 0; h < HUBS; h++) {
                hubs.add(HubFixture.start(db, Map.of("HUB_UPLINK_GATEWAYS", gateways.toString(), "HUB_INGEST_WRITERS", "4")));
            }
            for (int g = 0; g < GATEWAYS; g++) {
                links.add(new Uplink(hubs.get(g % HUBS), "gw-c" + g, SECRET));
            }
            long now = System.currentTimeMillis();
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<Void>> sent = new ArrayList<>();
            for (int g = 0; g < GATEWAYS; g++) {
                Uplink link = links.get(g);
                int gateway = g;
                sent.add(CompletableFuture.runAsync(() -> {
                    try {
                        start.await();
                        for (int b = 0; b < BATCHES; b++) {
                            long t = now + b * 1000L + gateway;
                            link.send(event("smoke-b1-01", "smoke_detector", t, "{\"event\": \"alarm\", \"level\": \"alarm\"}"),
                                    telemetry("smoke-b1-01", "smoke_detector", t + 1, "{\"alarm\": true}"),
                                    event("manhole-b1-01", "manhole", t, "{\"event\": \"cover_opened\"}"),
                                    // Two detectors of B2, each reported through half of the hubs.
                                    event(gateway % 2 == 0 ? "smoke-b2-01" : "smoke-b2-02", "smoke_detector", t,
                                            "{\"event\": \"alarm\"}"));
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, senders));
            }
            start.countDown();
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);

            Hub any = hubs.get(0);
            assertThat(HubFixture.count(any, "SELECT count(*) FROM readings WHERE device_id = 'smoke-b1-01'"))
                    .as("every reading stored").isEqualTo(2L * GATEWAYS * BATCHES);
            for (String[] deviceType : new String[][] {{"smoke-b1-01", "FIRE"}, {"manhole-b1-01", "COVER_DISPLACED"},
                    {"smoke-b2-01", "FIRE"}, {"smoke-b2-02", "FIRE"}}) {
                String where = " WHERE device_id = '" + deviceType[0] + "' AND type = '" + deviceType[1] + "'";
                assertThat(HubFixture.count(any, "SELECT count(*) FROM incidents" + where))
                        .as("incidents ever opened for " + deviceType[0]).isEqualTo(1);
                assertThat(HubFixture.count(any, "SELECT count(*) FROM incident_timeline t JOIN incidents i"
                        + " ON i.id = t.incident_id" + where.replace("device_id", "i.device_id").replace("type =", "i.type =")
                        + " AND t.action = 'opened'")).isEqualTo(1);
            }
            assertThat(total(hubs, "hub_incidents_opened_total", "FIRE")).as("opened, over all hubs").isEqualTo(3);
            assertThat(total(hubs, "hub_incidents_already_open_total", "FIRE"))
                    .as("proposed again and refused by the database, over all hubs").isGreaterThan(0);

            // The two B2 detectors were opened by different hubs at the same moment: still one confirmed fire.
            assertThat(HubFixture.count(any, "SELECT count(DISTINCT group_id) FROM incidents WHERE building_id = 'B2'"))
                    .isEqualTo(1);
            assertThat(HubFixture.count(any, "SELECT count(*) FROM incident_groups g JOIN incidents i ON i.group_id = g.id"
                    + " WHERE i.building_id = 'B2' AND g.confirmed_at IS NOT NULL AND i.details->>'confirmed' = 'true'"))
                    .isEqualTo(2);
            assertThat(HubFixture.count(any, "SELECT count(*) FROM incident_timeline t JOIN incidents i ON i.id = t.incident_id"
                    + " WHERE i.building_id = 'B2' AND t.action = 'confirmed'")).as("each confirmed once").isEqualTo(2);
        } finally {
            for (Uplink l : links) {
                l.close();
            }
            senders.shutdownNow();
            hubs.forEach(Hub::close);
        }
    }

    private static double total(List<Hub> hubs, String metric, String type) {
        Map<String, Double> sum = new HashMap<>();
        for (Hub h : hubs) {
            for (String line : h.scrapeMetrics().split("\n")) {
                if (line.startsWith(metric + "{type=\"" + type + "\"}")) {
                    sum.merge(type, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
                }
            }
        }
        return sum.getOrDefault(type, 0.0);
    }
}
