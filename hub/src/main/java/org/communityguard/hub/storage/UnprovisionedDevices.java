package org.communityguard.hub.storage;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.communityguard.hub.ingest.IncomingReading;
import org.communityguard.hub.ingest.UplinkBatch;

/**
 * Devices a gateway does not know (readings flagged {@code unprovisioned}) are entered in the
 * registry with {@code provisioned = false}, so they are listed at the hub
 * ({@code GET /api/devices?provisioned=false}) for someone to provision or investigate. One
 * statement per ingest transaction, and only when such readings are in it; a device already in
 * the registry is left as it is.
 */
final class UnprovisionedDevices {

    private static final String FLAG = "unprovisioned";

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
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO devices (id, type, gateway_id, community_id, provisioned)"
                        + " SELECT d.id, d.type, d.gw, g.community_id, false"
                        + " FROM unnest(?::text[], ?::text[], ?::text[]) AS d (id, type, gw)"
                        + " LEFT JOIN gateways g ON g.id = d.gw"
                        + " ON CONFLICT (id) DO NOTHING")) {
            Array a1 = c.createArrayOf("text", ids);
            Array a2 = c.createArrayOf("text", types);
            Array a3 = c.createArrayOf("text", gateways);
            ps.setArray(1, a1);
            ps.setArray(2, a2);
            ps.setArray(3, a3);
            ps.executeUpdate();
        }
    }
}
