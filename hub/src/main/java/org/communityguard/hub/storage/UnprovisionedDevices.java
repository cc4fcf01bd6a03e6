package org.communityguard.hub.storage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.communityguard.hub.ingest.IncomingReading;
import org.communityguard.hub.ingest.LogLimiter;
import org.communityguard.hub.ingest.UplinkBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Devices in no registry (readings flagged {@code unprovisioned}, by their gateway or by the
 * hub) are entered in the registry with {@code provisioned = false}, so they are listed at the
 * hub ({@code GET /api/devices?provisioned=false}) for someone to provision or investigate. One
 * statement per ingest transaction, and only when such readings are in it; a device already in
 * the registry is left as it is.
 *
 * <p>At most {@code maxPerGateway} of them are listed per gateway (the gateway that first
 * reported them): a gateway inventing device ids must not fill the registry and the console's
 * device list. The readings of the devices beyond are stored all the same (flagged); the
 * devices are counted and logged. The bound is held by the statement itself, so hub instances
 * entering devices at once cannot pass it together by more than one transaction's worth.
 */
final class UnprovisionedDevices {

    private static final Logger log = LoggerFactory.getLogger(UnprovisionedDevices.class);
    private static final String FLAG = "unprovisioned";

    // d: the batch's devices not in the registry; listed: within the gateway's room, in batch order.
    private static final String REGISTER_SQL = """
            WITH d AS (
                SELECT d.id, d.type, d.gw, d.ord
                FROM unnest(?::text[], ?::text[], ?::text[]) WITH ORDINALITY AS d (id, type, gw, ord)
                WHERE NOT EXISTS (SELECT 1 FROM devices x WHERE x.id = d.id)
            ), fresh AS (
                SELECT d.*, row_number() OVER (PARTITION BY d.gw ORDER BY d.ord)
                            <= ? - (SELECT count(*) FROM devices x WHERE x.gateway_id = d.gw AND NOT x.provisioned) AS listed
                FROM d
            ), entered AS (
                INSERT INTO devices (id, type, gateway_id, community_id, provisioned)
                SELECT f.id, f.type, f.gw, g.community_id, false
                FROM fresh f LEFT JOIN gateways g ON g.id = f.gw
                WHERE f.listed
                ON CONFLICT (id) DO NOTHING
            )
            SELECT f.gw, f.id FROM fresh f WHERE NOT f.listed ORDER BY f.ord
            """;

    private final int maxPerGateway;
    private final Counter unlisted;
    private final LogLimiter limiter = new LogLimiter(log, 1, TimeUnit.MINUTES);

    UnprovisionedDevices(int maxPerGateway, MeterRegistry metrics) {
        this.maxPerGateway = maxPerGateway;
        this.unlisted = Counter.builder("hub.unprovisioned.devices.unlisted")
                .description("unprovisioned devices left out of the registry (their readings stored) because their gateway"
                        + " has ingest.max-unprovisioned-devices listed already; once per ingest transaction")
                .register(metrics);
    }

    void register(Connection c, List<UplinkBatch> batches) throws SQLException {
        Map<String, String[]> seen = new LinkedHashMap<>();
        for (UplinkBatch b : batches) {
            for (IncomingReading r : b.readings()) {
                if (r.flags().contains(FLAG) && !"gateway".equals(r.deviceType())) {
                    seen.putIfAbsent(r.deviceId(), new String[] {r.deviceType(), b.gatewayId()});
                }
            }
        }
        if (seen.isEmpty()) {
            return;
        }
        String[] ids = seen.keySet().toArray(String[]::new);
        String[] types = seen.values().stream().map(v -> v[0]).toArray(String[]::new);
        String[] gateways = seen.values().stream().map(v -> v[1]).toArray(String[]::new);
        try (PreparedStatement ps = c.prepareStatement(REGISTER_SQL)) {
            Array a1 = c.createArrayOf("text", ids);
            Array a2 = c.createArrayOf("text", types);
            Array a3 = c.createArrayOf("text", gateways);
            ps.setArray(1, a1);
            ps.setArray(2, a2);
            ps.setArray(3, a3);
            ps.setInt(4, maxPerGateway);
            Map<String, Integer> left = new LinkedHashMap<>();
            Map<String, String> example = new LinkedHashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    left.merge(rs.getString(1), 1, Integer::sum);
                    example.putIfAbsent(rs.getString(1), rs.getString(2));
                }
            }
            left.forEach((gateway, n) -> {
                unlisted.increment(n);
                limiter.warn("unlisted|" + gateway, "gateway {} reports more unprovisioned devices than the {} the registry"
                                + " lists for it (ingest.max-unprovisioned-devices): {} more, such as {}, not listed;"
                                + " their readings are stored, flagged unprovisioned",
                        gateway, maxPerGateway, n, example.get(gateway));
            });
        }
    }
}
