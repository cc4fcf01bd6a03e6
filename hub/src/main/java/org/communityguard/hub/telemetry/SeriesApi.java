package org.communityguard.hub.telemetry;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.communityguard.hub.api.HttpError;
import org.communityguard.hub.api.Request;
import org.communityguard.hub.api.Response;

/**
 * {@code GET /api/devices/{id}/series?field=temp_c&from=...&to=...}: one reading field of one
 * device over time, as avg/min/max/count per bucket ({@link Buckets} picks the bucket from the
 * span). Numbers are taken as they are, booleans as 0/1 (so the average of {@code lamp_on} is the
 * share of time on). {@code from} and {@code to} are ISO-8601 instants; the default is the last
 * 24 hours; the span may be at most 400 days.
 *
 * <p>On TimescaleDB the buckets are {@code time_bucket}; on plain PostgreSQL {@code date_bin} with
 * the same origin (Monday 2000-01-03), so both give the same buckets. Either way the rows come
 * through {@code readings_device_time_idx}: one index range per chunk.
 */
public final class SeriesApi {

    static final Pattern FIELD = Pattern.compile("[a-z][a-z0-9_]{0,63}");
    static final Duration DEFAULT_SPAN = Duration.ofHours(24);
    static final Duration MAX_SPAN = Duration.ofDays(400);

    private static final String VALUE = "CASE jsonb_typeof(data -> ?) WHEN 'number' THEN (data ->> ?)::float8"
            + " WHEN 'boolean' THEN CASE WHEN (data ->> ?)::boolean THEN 1.0 ELSE 0.0 END END";

    private final DataSource dataSource;
    private final String bucketSql;
    private final Clock clock;

    public SeriesApi(DataSource dataSource, boolean timescale, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.bucketSql = timescale
                ? "time_bucket(make_interval(secs => ?), time)"
                : "date_bin(make_interval(secs => ?), time, TIMESTAMPTZ '2000-01-03 00:00:00+00')";
    }

    public Response series(Request req) throws Exception {
        String device = req.pathParams().get("id");
        String field = req.queryParam("field");
        if (field == null || !FIELD.matcher(field).matches()) {
            throw HttpError.badRequest("'field' is required: a reading field name such as temp_c");
        }
        Instant to = instant(req, "to", clock.instant());
        Instant from = instant(req, "from", to.minus(DEFAULT_SPAN));
        Duration span = Duration.between(from, to);
        if (span.isNegative() || span.isZero()) {
            throw HttpError.badRequest("'from' must be before 'to'");
        }
        if (span.compareTo(MAX_SPAN) > 0) {
            throw HttpError.badRequest("a series spans at most " + MAX_SPAN.toDays() + " days");
        }
        Duration bucket = Buckets.forSpan(span);
        String sql = "SELECT " + bucketSql + " AS bucket, avg(v), min(v), max(v), count(*) FROM ("
                + "SELECT time, " + VALUE + " AS v FROM readings WHERE device_id = ? AND time >= ? AND time < ?"
                + " AND jsonb_typeof(data -> ?) IN ('number', 'boolean')) s GROUP BY bucket ORDER BY bucket";
        ObjectNode body = req.json().createObjectNode();
        body.put("device_id", device);
        body.put("field", field);
        body.put("from", from.toString());
        body.put("to", to.toString());
        body.put("bucket_seconds", bucket.toSeconds());
        ArrayNode points = body.putArray("points");
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement exists = c.prepareStatement("SELECT 1 FROM devices WHERE id = ?")) {
                exists.setString(1, device);
                try (ResultSet rs = exists.executeQuery()) {
                    if (!rs.next()) {
                        throw HttpError.notFound("no device " + device);
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                ps.setDouble(i++, bucket.toSeconds());
                ps.setString(i++, field);
                ps.setString(i++, field);
                ps.setString(i++, field);
                ps.setString(i++, device);
                ps.setTimestamp(i++, Timestamp.from(from));
                ps.setTimestamp(i++, Timestamp.from(to));
                ps.setString(i, field);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ObjectNode p = points.addObject();
                        p.put("t", rs.getTimestamp(1).toInstant().toString());
                        p.put("avg", rs.getDouble(2));
                        p.put("min", rs.getDouble(3));
                        p.put("max", rs.getDouble(4));
                        p.put("n", rs.getLong(5));
                    }
                }
            }
        }
        return Response.json(200, req.json().writeValueAsBytes(body));
    }

    private static Instant instant(Request req, String name, Instant fallback) {
        String text = req.queryParam(name);
        if (text == null || text.isEmpty()) {
            return fallback;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw HttpError.badRequest("'" + name + "' must be an ISO-8601 instant such as 2026-11-21T08:00:00Z");
        }
    }
}
