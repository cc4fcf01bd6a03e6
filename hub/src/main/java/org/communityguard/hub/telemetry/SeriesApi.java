package org.communityguard.hub.telemetry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
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
 * <p>Buckets of an hour or more (spans over 50 hours) are made of the {@link HourlyRollup}'s
 * hours, checked against the readings' count per hour (an hour whose count changed is recomputed
 * first), plus the readings of the partial hours at either end. Smaller buckets come from the
 * readings. Buckets start where TimescaleDB's {@code time_bucket} starts them (origin Monday
 * 2000-01-03): {@code time_bucket} on TimescaleDB, {@code date_bin} with that origin on plain
 * PostgreSQL. Readings are read through {@code readings_device_time_idx}.
 */
public final class SeriesApi {

    static final Pattern FIELD = Pattern.compile("[a-z][a-z0-9_]{0,63}");
    static final Duration DEFAULT_SPAN = Duration.ofHours(24);
    public static final Duration MAX_SPAN = Duration.ofDays(400);
    static final Instant ORIGIN = Instant.parse("2000-01-03T00:00:00Z");
    private static final Duration HOUR = Duration.ofHours(1);

    private static final String VALUE = "CASE jsonb_typeof(data -> ?) WHEN 'number' THEN (data ->> ?)::float8"
            + " WHEN 'boolean' THEN CASE WHEN (data ->> ?)::boolean THEN 1.0 ELSE 0.0 END END";

    private final DataSource dataSource;
    private final boolean timescale;
    private final HourlyRollup rollup;
    private final Clock clock;

    public SeriesApi(DataSource dataSource, boolean timescale, HourlyRollup rollup, Clock clock) {
        this.dataSource = dataSource;
        this.timescale = timescale;
        this.rollup = rollup;
        this.clock = clock;
    }

    /** Count, sum, minimum and maximum of the values in one bucket. */
    static final class Acc {
        long n;
        double sum;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;

        void add(long count, double s, double lo, double hi) {
            n += count;
            sum += s;
            min = Math.min(min, lo);
            max = Math.max(max, hi);
        }
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
        TreeMap<Instant, Acc> buckets = new TreeMap<>();
        int[] hours = new int[2];
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement exists = c.prepareStatement("SELECT 1 FROM devices WHERE id = ?")) {
                exists.setString(1, device);
                try (ResultSet rs = exists.executeQuery()) {
                    if (!rs.next()) {
                        throw HttpError.notFound("no device " + device);
                    }
                }
            }
            Instant wholeFrom = ceilHour(from);
            Instant wholeTo = to.truncatedTo(ChronoUnit.HOURS);
            if (bucket.compareTo(HOUR) >= 0 && wholeFrom.isBefore(wholeTo)) {
                raw(c, device, field, from, wholeFrom, bucket, buckets);
                hours = fromRollup(c, device, field, wholeFrom, wholeTo, bucket, buckets);
                raw(c, device, field, wholeTo, to, bucket, buckets);
            } else {
                raw(c, device, field, from, to, bucket, buckets);
            }
        }
        ObjectMapper json = req.json();
        ObjectNode body = json.createObjectNode();
        body.put("device_id", device);
        body.put("field", field);
        body.put("from", from.toString());
        body.put("to", to.toString());
        body.put("bucket_seconds", bucket.toSeconds());
        body.put("rollup_hours", hours[0]);
        body.put("recomputed_hours", hours[1]);
        ArrayNode points = body.putArray("points");
        buckets.forEach((t, a) -> {
            if (a.n > 0) {
                ObjectNode p = points.addObject();
                p.put("t", t.toString());
                p.put("avg", a.sum / a.n);
                p.put("min", a.min);
                p.put("max", a.max);
                p.put("n", a.n);
            }
        });
        return Response.json(200, json.writeValueAsBytes(body));
    }

    /** Where a bucket of this size that holds {@code t} starts (as time_bucket and date_bin place it). */
    static Instant bucketStart(Instant t, Duration bucket) {
        long size = bucket.toMillis();
        long offset = t.toEpochMilli() - ORIGIN.toEpochMilli();
        return ORIGIN.plusMillis(Math.floorDiv(offset, size) * size);
    }

    static Instant ceilHour(Instant t) {
        Instant floor = t.truncatedTo(ChronoUnit.HOURS);
        return floor.equals(t) ? t : floor.plus(HOUR);
    }

    private void raw(Connection c, String device, String field, Instant from, Instant to, Duration bucket,
                     Map<Instant, Acc> out) throws SQLException {
        if (!from.isBefore(to)) {
            return;
        }
        String bucketSql = timescale
                ? "time_bucket(make_interval(secs => ?), time)"
                : "date_bin(make_interval(secs => ?), time, TIMESTAMPTZ '2000-01-03 00:00:00+00')";
        String sql = "SELECT " + bucketSql + " AS bucket, count(*), sum(v), min(v), max(v) FROM ("
                + "SELECT time, " + VALUE + " AS v FROM readings WHERE device_id = ? AND time >= ? AND time < ?"
                + " AND jsonb_typeof(data -> ?) IN ('number', 'boolean')) s GROUP BY bucket";
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
                    out.computeIfAbsent(rs.getTimestamp(1).toInstant(), k -> new Acc())
                            .add(rs.getLong(2), rs.getDouble(3), rs.getDouble(4), rs.getDouble(5));
                }
            }
        }
    }

    /**
     * The whole hours [from, to) from the rollup, each checked against the readings' count for
     * that hour (an index-only count) and recomputed when it differs. Returns {hours used,
     * hours recomputed}.
     */
    private int[] fromRollup(Connection c, String device, String field, Instant from, Instant to, Duration bucket,
                             Map<Instant, Acc> out) throws SQLException {
        Map<Instant, Long> counts = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + HourlyRollup.hourExpression(timescale)
                + " AS hour, count(*) FROM readings WHERE device_id = ? AND time >= ? AND time < ? GROUP BY hour")) {
            ps.setString(1, device);
            ps.setTimestamp(2, Timestamp.from(from));
            ps.setTimestamp(3, Timestamp.from(to));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getTimestamp(1).toInstant(), rs.getLong(2));
                }
            }
        }
        Map<Instant, Long> rolled = new HashMap<>();
        Map<Instant, JsonNode> stats = new HashMap<>();
        readRollup(c, device, field, from, to, rolled, stats);
        int recomputed = 0;
        for (Map.Entry<Instant, Long> e : counts.entrySet()) {
            if (!e.getValue().equals(rolled.get(e.getKey()))) {
                rollup.rollUp(c, e.getKey(), e.getKey().plus(HOUR), device);
                recomputed++;
            }
        }
        if (recomputed > 0) {
            readRollup(c, device, field, from, to, rolled, stats);
        }
        for (Instant hour : counts.keySet()) {
            JsonNode s = stats.get(hour);
            if (s != null && s.isArray() && s.size() == 4 && s.get(0).asLong() > 0) {
                out.computeIfAbsent(bucketStart(hour, bucket), k -> new Acc())
                        .add(s.get(0).asLong(), s.get(1).asDouble(), s.get(2).asDouble(), s.get(3).asDouble());
            }
        }
        return new int[] {counts.size(), recomputed};
    }

    private static void readRollup(Connection c, String device, String field, Instant from, Instant to,
                                   Map<Instant, Long> rolled, Map<Instant, JsonNode> stats) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT hour, readings, fields -> ? FROM readings_hourly"
                + " WHERE device_id = ? AND hour >= ? AND hour < ?")) {
            ps.setString(1, field);
            ps.setString(2, device);
            ps.setTimestamp(3, Timestamp.from(from));
            ps.setTimestamp(4, Timestamp.from(to));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Instant hour = rs.getTimestamp(1).toInstant();
                    rolled.put(hour, rs.getLong(2));
                    String s = rs.getString(3);
                    if (s != null) {
                        stats.put(hour, PLAIN.readTree(s));
                    } else {
                        stats.remove(hour);
                    }
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SQLException("unreadable rollup row of " + device, e);
        }
    }

    private static final ObjectMapper PLAIN = new ObjectMapper();

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
