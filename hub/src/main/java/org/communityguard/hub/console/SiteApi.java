package org.communityguard.hub.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.communityguard.hub.api.HttpError;
import org.communityguard.hub.api.Request;
import org.communityguard.hub.api.Response;

/**
 * The site map's data. {@code GET /api/site}: per community, its buildings and devices on the
 * plan ({@link PlanLayout}) with each device's latest state. {@code GET /api/devices/{id}}: one
 * device with its latest reading, the fields that can be charted, and its recent events.
 *
 * <p>Latest-state reads go through {@code readings_device_time_idx} (device, time DESC): one index
 * probe per device into the newest chunk, whatever the history.
 */
public final class SiteApi {

    private static final String DEVICES_SQL = """
            SELECT d.id, d.community_id, d.type, d.building_id, b.name, d.location, d.gateway_id, d.interval_s,
                   d.provisioned, d.plan_x, d.plan_y,
                   r.time, r.kind, r.data ->> 'status',
                   CASE WHEN jsonb_typeof(t.data -> 'battery_pct') = 'number' THEN (t.data ->> 'battery_pct')::float8 END,
                   CASE WHEN jsonb_typeof(t.data -> 'rssi_dbm') = 'number' THEN (t.data ->> 'rssi_dbm')::float8 END,
                   o.n, o.worst, r.data, t.time, t.data
            FROM devices d
            LEFT JOIN buildings b ON b.community_id = d.community_id AND b.id = d.building_id
            LEFT JOIN LATERAL (SELECT time, kind, data FROM readings WHERE device_id = d.id
                               ORDER BY time DESC LIMIT 1) r ON true
            LEFT JOIN LATERAL (SELECT time, data FROM readings WHERE device_id = d.id AND kind = 'telemetry'
                                 AND time > now() - interval '30 days' ORDER BY time DESC LIMIT 1) t ON true
            LEFT JOIN LATERAL (SELECT count(*) AS n,
                                      (array_agg(severity ORDER BY CASE severity WHEN 'critical' THEN 0
                                          WHEN 'major' THEN 1 WHEN 'minor' THEN 2 ELSE 3 END))[1] AS worst
                               FROM incidents WHERE device_id = d.id AND is_open) o ON true
            """;

    private final DataSource dataSource;
    private final Clock clock;

    public SiteApi(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /** A device as read, before the layout gives it a place ({@code planX}, {@code planY}: from the site file, or null). */
    private record Row(DeviceView view, Double planX, Double planY, JsonNode lastData, Instant telemetryAt,
                       JsonNode telemetry) {
    }

    public Response site(Request req) throws Exception {
        ObjectMapper json = req.json();
        Map<String, ObjectNode> communities = new LinkedHashMap<>();
        Map<String, List<PlanLayout.Item>> buildings = new LinkedHashMap<>();
        Map<String, List<ObjectNode>> buildingNodes = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, name FROM communities ORDER BY id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ObjectNode community = json.createObjectNode();
                    community.put("id", rs.getString(1));
                    community.put("name", rs.getString(2));
                    communities.put(rs.getString(1), community);
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT community_id, id, name, grid, plan_x, plan_y FROM buildings ORDER BY community_id, id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String community = rs.getString(1);
                    buildings.computeIfAbsent(community, k -> new ArrayList<>())
                            .add(new PlanLayout.Item(rs.getString(2), number(rs, 5), number(rs, 6)));
                    ObjectNode b = json.createObjectNode();
                    b.put("id", rs.getString(2));
                    b.put("name", rs.getString(3));
                    b.put("grid", rs.getString(4));
                    buildingNodes.computeIfAbsent(community, k -> new ArrayList<>()).add(b);
                }
            }
            Map<String, List<Row>> devices = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement(DEVICES_SQL + " ORDER BY d.community_id, d.id")) {
                for (Row row : rows(ps)) {
                    devices.computeIfAbsent(row.view().communityId(), k -> new ArrayList<>()).add(row);
                }
            }
            ArrayNode out = json.createArrayNode();
            TreeSet<String> ids = new TreeSet<>(communities.keySet());
            ids.addAll(devices.keySet());
            for (String id : ids) {
                ObjectNode community = communities.computeIfAbsent(id, k -> json.createObjectNode().put("id", k).put("name", k));
                List<Row> list = devices.getOrDefault(id, List.of());
                PlanLayout.Plan plan = PlanLayout.layout(buildings.getOrDefault(id, List.of()),
                        list.stream().map(r -> new PlanLayout.DeviceItem(r.view().id(), r.view().buildingId(),
                                r.planX(), r.planY())).toList());
                ArrayNode bs = community.putArray("buildings");
                for (ObjectNode b : buildingNodes.getOrDefault(id, List.of())) {
                    PlanLayout.Position p = plan.buildings().get(b.path("id").asText());
                    b.put("x", p.x());
                    b.put("y", p.y());
                    b.put("placed", p.source());
                    bs.add(b);
                }
                ArrayNode ds = community.putArray("devices");
                for (Row r : list) {
                    ds.add(json.valueToTree(placed(r.view(), plan.devices().get(r.view().id()))));
                }
                out.add(community);
            }
            ObjectNode body = json.createObjectNode();
            body.put("server_time", clock.instant().toString());
            body.set("communities", out);
            return Response.json(200, json.writeValueAsBytes(body));
        }
    }

    public Response device(Request req) throws Exception {
        String id = req.pathParams().get("id");
        ObjectMapper json = req.json();
        try (Connection c = dataSource.getConnection()) {
            Row row;
            try (PreparedStatement ps = c.prepareStatement(DEVICES_SQL + " WHERE d.id = ?")) {
                ps.setString(1, id);
                List<Row> rows = rows(ps);
                if (rows.isEmpty()) {
                    throw HttpError.notFound("no device " + id);
                }
                row = rows.get(0);
            }
            DeviceView v = row.view();
            ObjectNode body = json.valueToTree(v);
            // Where it is on the plan is the site map's business (GET /api/site).
            body.remove(List.of("x", "y", "placed"));
            if (row.lastData() != null) {
                ObjectNode last = body.putObject("last_reading");
                last.put("time", v.lastSeen().toString());
                last.put("kind", v.lastKind());
                last.set("data", PersonalData.strip(row.lastData()));
            }
            if (row.telemetry() != null) {
                ObjectNode t = body.putObject("last_telemetry");
                t.put("time", row.telemetryAt().toString());
                t.set("data", PersonalData.strip(row.telemetry()));
            }
            ArrayNode fields = body.putArray("fields");
            if (row.telemetry() != null) {
                for (Iterator<Map.Entry<String, JsonNode>> it = row.telemetry().fields(); it.hasNext(); ) {
                    var f = it.next();
                    if ((f.getValue().isNumber() || f.getValue().isBoolean()) && !PersonalData.FIELDS.contains(f.getKey())) {
                        fields.add(f.getKey());
                    }
                }
            }
            ArrayNode events = body.putArray("recent_events");
            try (PreparedStatement ps = c.prepareStatement("SELECT time, kind, data FROM readings WHERE device_id = ?"
                    + " AND kind <> 'telemetry' AND time > now() - interval '30 days' ORDER BY time DESC LIMIT 10")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ObjectNode e = events.addObject();
                        e.put("time", rs.getTimestamp(1).toInstant().toString());
                        e.put("kind", rs.getString(2));
                        e.set("data", PersonalData.strip(json.readTree(rs.getString(3))));
                    }
                }
            }
            return Response.json(200, json.writeValueAsBytes(body));
        }
    }

    private List<Row> rows(PreparedStatement ps) throws SQLException {
        Instant now = clock.instant();
        List<Row> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String type = rs.getString(3);
                Integer interval = (Integer) rs.getObject(8);
                Double x = number(rs, 10);
                Double y = number(rs, 11);
                Instant lastSeen = instant(rs, 12);
                boolean offline = "status".equals(rs.getString(13)) && "offline".equals(rs.getString(14));
                Double battery = number(rs, 15);
                int open = rs.getInt(17);
                String worst = rs.getString(18);
                String state = DeviceState.of(worst, lastSeen, offline, interval, type, battery, now);
                DeviceView v = new DeviceView(rs.getString(1), rs.getString(2), type, rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getString(7),
                        interval != null ? interval : DeviceState.defaultIntervalSeconds(type), rs.getBoolean(9),
                        0, 0, null,
                        lastSeen, rs.getString(13), battery, number(rs, 16), open, worst, state);
                out.add(new Row(v, x, y, readJson(rs.getString(19)), instant(rs, 20), readJson(rs.getString(21))));
            }
        }
        return out;
    }

    private static DeviceView placed(DeviceView v, PlanLayout.Position p) {
        return new DeviceView(v.id(), v.communityId(), v.type(), v.buildingId(), v.buildingName(), v.location(),
                v.gatewayId(), v.intervalS(), v.provisioned(), p.x(), p.y(), p.source(), v.lastSeen(), v.lastKind(),
                v.batteryPct(), v.rssiDbm(), v.openIncidents(), v.worstSeverity(), v.state());
    }

    private static final ObjectMapper PLAIN = new ObjectMapper();

    private static JsonNode readJson(String text) throws SQLException {
        if (text == null) {
            return null;
        }
        try {
            return PLAIN.readTree(text);
        } catch (java.io.IOException e) {
            throw new SQLException("unreadable reading data", e);
        }
    }

    private static Double number(ResultSet rs, int column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? null : v;
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        var t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
