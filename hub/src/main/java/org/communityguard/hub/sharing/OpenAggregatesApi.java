package org.communityguard.hub.sharing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.communityguard.hub.api.CsvWriter;
import org.communityguard.hub.api.HttpError;
import org.communityguard.hub.api.Request;
import org.communityguard.hub.api.Response;

/**
 * {@code GET /api/open/aggregates?from=&to=&device_type=&field=&format=csv|json} (scopes
 * {@code opendata:read} or {@code aggregates:read}): hourly aggregates of readings per community,
 * building, device type and field, from the hourly rollup ({@code readings_hourly}, per device
 * and hour): how many devices, how many values, their mean, minimum and maximum. Never per
 * device, never per door-access subject (the rollup holds numbers and booleans only; a subject
 * is text).
 *
 * <p>Only the telemetry fields of the device profile are published ({@link #PUBLISHED}): devices
 * may send fields nobody documented, and a number nobody has looked at (a vendor's user number)
 * stays out of open data until it is added here. Only registered devices count.
 *
 * <p>An hour is in the export once the rollup has done it (5 minutes after it ends); the JSON
 * says up to when ({@code rolled_up_to}).
 */
public final class OpenAggregatesApi {

    static final Duration DEFAULT_SPAN = Duration.ofHours(24);
    static final Duration MAX_SPAN = Duration.ofDays(31);

    /** The telemetry fields of each device type (shared/device-profiles.md, "Telemetry fields"). */
    static final Map<String, List<String>> PUBLISHED = published();

    private static Map<String, List<String>> published() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("lamp_post", List.of("lamp_on", "dim_pct", "power_w", "voltage_v", "current_a", "leakage_ma", "tilt_deg", "lux",
                "cabinet_open"));
        m.put("manhole", List.of("cover_open", "tilt_deg", "water_below_cover_cm", "ch4_pct_lel", "h2s_ppm", "battery_pct",
                "rssi_dbm"));
        m.put("smoke_detector", List.of("smoke_obscuration_pct_m", "temp_c", "alarm", "tamper", "battery_pct", "rssi_dbm"));
        m.put("door_access", List.of("door_open", "locked", "open_s"));
        return Collections.unmodifiableMap(m);
    }

    static final List<String> CSV_COLUMNS = List.of("hour", "community_id", "building_id", "device_type", "field",
            "devices", "readings", "mean", "min", "max");

    // One rollup row per device and hour, so count(*) of a group is its number of devices.
    private static final String SQL = """
            SELECT h.hour, d.community_id, d.building_id, d.type, f.key, count(*),
                   sum((f.value ->> 0)::bigint), sum((f.value ->> 1)::float8),
                   min((f.value ->> 2)::float8), max((f.value ->> 3)::float8)
            FROM readings_hourly h
            JOIN devices d ON d.id = h.device_id AND d.provisioned
            CROSS JOIN LATERAL jsonb_each(h.fields) f
            WHERE h.hour >= ? AND h.hour < ? AND d.type || '.' || f.key = ANY (?)
            GROUP BY h.hour, d.community_id, d.building_id, d.type, f.key
            ORDER BY h.hour, d.community_id, d.building_id, d.type, f.key
            """;

    /** One community, building, device type and field in one hour. */
    public record Row(Instant hour, String communityId, String buildingId, String deviceType, String field, long devices,
                      long readings, double mean, double min, double max) {
    }

    private final DataSource dataSource;

    public OpenAggregatesApi(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Response export(Request req) throws Exception {
        boolean csv = req.wantsCsv();
        Export.Period period = Export.period(req, DEFAULT_SPAN, MAX_SPAN);
        String[] pairs = pairs(req.queryParam("device_type"), req.queryParam("field"));
        List<Row> rows = new ArrayList<>();
        Instant rolledUpTo;
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(SQL)) {
                ps.setTimestamp(1, Timestamp.from(period.from()));
                ps.setTimestamp(2, Timestamp.from(period.to()));
                ps.setArray(3, c.createArrayOf("text", pairs));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        // A field is in a rollup row only with one value or more: n > 0.
                        long n = rs.getLong(7);
                        rows.add(new Row(rs.getTimestamp(1).toInstant(), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getLong(6), n, rs.getDouble(8) / n, rs.getDouble(9), rs.getDouble(10)));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT rolled_up_to FROM readings_hourly_progress");
                 ResultSet rs = ps.executeQuery()) {
                rolledUpTo = rs.next() ? rs.getTimestamp(1).toInstant() : null;
            }
        }
        if (!csv) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("from", period.from());
            body.put("to", period.to());
            body.put("rolled_up_to", rolledUpTo);
            body.put("rows", rows);
            return Response.json(200, req.json().writeValueAsBytes(body));
        }
        CsvWriter out = new CsvWriter().row(CSV_COLUMNS);
        for (Row r : rows) {
            out.row(Arrays.asList(r.hour().toString(), CsvWriter.text(r.communityId()), CsvWriter.text(r.buildingId()),
                    CsvWriter.text(r.deviceType()), CsvWriter.text(r.field()), CsvWriter.number(r.devices()),
                    CsvWriter.number(r.readings()), CsvWriter.number(r.mean()), CsvWriter.number(r.min()),
                    CsvWriter.number(r.max())));
        }
        return Export.csv(period.fileName("aggregates"), out);
    }

    /** The {@code type.field} pairs asked for, all published; a 400 that lists them for anything else. */
    static String[] pairs(String deviceType, String field) {
        if (deviceType != null && !PUBLISHED.containsKey(deviceType)) {
            throw HttpError.badRequest("'device_type' must be one of " + String.join(", ", PUBLISHED.keySet()));
        }
        List<String> out = new ArrayList<>();
        PUBLISHED.forEach((type, fields) -> {
            if (deviceType == null || deviceType.equals(type)) {
                for (String f : fields) {
                    if (field == null || field.equals(f)) {
                        out.add(type + "." + f);
                    }
                }
            }
        });
        if (out.isEmpty()) {
            throw HttpError.badRequest("'" + field + "' is not a published field" + (deviceType == null ? "" : " of "
                    + deviceType) + "; published: " + (deviceType == null ? PUBLISHED : PUBLISHED.get(deviceType)));
        }
        return out.toArray(String[]::new);
    }
}
