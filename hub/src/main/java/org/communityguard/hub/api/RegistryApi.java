package org.communityguard.hub.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import javax.sql.DataSource;

/** The field as the hub knows it: devices (provisioned or not) and gateways with their last health report. */
public final class RegistryApi {

    private final DataSource dataSource;
    private final Predicate<String> uplinkConnected;

    /** @param uplinkConnected whether a gateway has a live uplink connection now */
    public RegistryApi(DataSource dataSource, Predicate<String> uplinkConnected) {
        this.dataSource = dataSource;
        this.uplinkConnected = uplinkConnected;
    }

    /**
     * {@code GET /api/devices[?provisioned=true|false][&limit=1000]}: devices of the registry, by id.
     * {@code provisioned=false} lists the ids gateways reported without knowing them.
     */
    public Response devices(Request req) throws Exception {
        String provisioned = req.queryParam("provisioned");
        if (provisioned != null && !provisioned.equals("true") && !provisioned.equals("false")) {
            throw HttpError.badRequest("'provisioned' must be true or false");
        }
        int limit = req.intQueryParam("limit", 1000, 1, 10_000);
        String sql = "SELECT id, type, community_id, building_id, gateway_id, location, provisioned, created_at FROM devices"
                + (provisioned == null ? "" : " WHERE provisioned = ?") + " ORDER BY id LIMIT ?";
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (provisioned != null) {
                ps.setBoolean(i++, Boolean.parseBoolean(provisioned));
            }
            ps.setInt(i, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> d = new LinkedHashMap<>();
                    d.put("id", rs.getString(1));
                    d.put("type", rs.getString(2));
                    d.put("community_id", rs.getString(3));
                    d.put("building_id", rs.getString(4));
                    d.put("gateway_id", rs.getString(5));
                    d.put("location", rs.getString(6));
                    d.put("provisioned", rs.getBoolean(7));
                    d.put("created_at", rs.getTimestamp(8).toInstant().toString());
                    out.add(d);
                }
            }
        }
        return Response.json(200, req.json().writeValueAsBytes(Map.of("devices", out)));
    }

    /** {@code GET /api/gateways}: every registered gateway, whether it is connected, and its last health report. */
    public Response gateways(Request req) throws Exception {
        String sql = "SELECT g.id, g.name, g.community_id, h.time, h.data::text FROM gateways g"
                + " LEFT JOIN LATERAL (SELECT time, data FROM readings r WHERE r.device_id = g.id"
                + " AND r.device_type = 'gateway' AND r.kind = 'telemetry' ORDER BY time DESC LIMIT 1) h ON true"
                + " ORDER BY g.id";
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Map<String, Object> g = new LinkedHashMap<>();
                String id = rs.getString(1);
                g.put("id", id);
                g.put("name", rs.getString(2));
                g.put("community_id", rs.getString(3));
                g.put("uplink_connected", uplinkConnected.test(id));
                Timestamp at = rs.getTimestamp(4);
                g.put("health_at", at == null ? null : at.toInstant().toString());
                JsonNode health = rs.getString(5) == null ? null : req.json().readTree(rs.getString(5));
                g.put("health", health);
                out.add(g);
            }
        }
        return Response.json(200, req.json().writeValueAsBytes(Map.of("gateways", out)));
    }
}
