package org.communityguard.hub.telemetry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.communityguard.hub.task.PollingTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@code readings_hourly}: per device and hour, count, sum, minimum and maximum of every
 * numeric (and boolean, as 0/1) reading field. A chart over days reads 24 rows a day instead of
 * thousands of readings scattered over the table's pages.
 *
 * <p>A background task rolls up each hour once it has ended (and {@link #SETTLE} has passed),
 * oldest first; on a first start over existing history it works through that history, at most
 * {@link SeriesApi#MAX_SPAN} back. Readings that arrive after their hour was rolled up (a gateway
 * that was offline) are not lost: each row records how many readings it was computed from, and
 * {@link SeriesApi} recomputes an hour whose count in {@code readings} has changed. Readings are
 * append-only, so an equal count means the same readings.
 */
public final class HourlyRollup implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HourlyRollup.class);

    /** How long after an hour ends before it is rolled up: most late readings arrive by then. */
    static final Duration SETTLE = Duration.ofMinutes(5);

    // The readings of [from, to), per device and hour: their count, and per field count, sum, min, max.
    private static final String ROLLUP_SQL = """
            WITH r AS MATERIALIZED (
                SELECT device_id, %1$s AS hour, data FROM readings
                WHERE time >= ? AND time < ? %2$s
            ), totals AS (
                SELECT device_id, hour, count(*) AS total FROM r GROUP BY device_id, hour
            ), per_field AS (
                SELECT r.device_id, r.hour, f.key, count(*) AS n, sum(f.v) AS s, min(f.v) AS lo, max(f.v) AS hi
                FROM r, LATERAL (
                    SELECT key, CASE jsonb_typeof(value) WHEN 'number' THEN (value #>> '{}')::float8
                                    ELSE CASE WHEN (value #>> '{}')::boolean THEN 1.0 ELSE 0.0 END END AS v
                    FROM jsonb_each(r.data) WHERE jsonb_typeof(value) IN ('number', 'boolean')) f
                GROUP BY r.device_id, r.hour, f.key
            )
            INSERT INTO readings_hourly (device_id, hour, readings, fields)
            SELECT t.device_id, t.hour, t.total,
                   coalesce(jsonb_object_agg(p.key, jsonb_build_array(p.n, p.s, p.lo, p.hi)) FILTER (WHERE p.key IS NOT NULL), '{}')
            FROM totals t LEFT JOIN per_field p ON p.device_id = t.device_id AND p.hour = t.hour
            GROUP BY t.device_id, t.hour, t.total
            ON CONFLICT (device_id, hour) DO UPDATE SET readings = excluded.readings, fields = excluded.fields
            """;

    private final DataSource dataSource;
    private final String hourExpr;
    private final Clock clock;
    private final Counter hoursRolled;
    private final Counter runs;
    private final AtomicReference<Instant> rolledUpTo = new AtomicReference<>();
    private final PollingTask task;

    public HourlyRollup(DataSource dataSource, boolean timescale, Duration every, Clock clock, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.hourExpr = hourExpression(timescale);
        this.clock = clock;
        this.hoursRolled = Counter.builder("hub.telemetry.rollup.hours")
                .description("device-hours of readings rolled up for charts").register(registry);
        // Also what a test waits for before it writes history: the start-up pass has then been.
        this.runs = Counter.builder("hub.telemetry.rollup.runs")
                .description("rollup passes completed, with or without hours to roll up").register(registry);
        Gauge.builder("hub.telemetry.rollup.lag", rolledUpTo,
                        r -> r.get() == null ? Double.NaN : Duration.between(r.get(), clock.instant()).toSeconds())
                .description("seconds between now and the end of the last hour rolled up").baseUnit("seconds")
                .register(registry);
        this.task = new PollingTask("hub-rollup", every, () -> {
            try {
                runOnce();
            } catch (Exception e) {
                log.warn("telemetry rollup failed, retrying in {}: {}", every, e.toString());
            }
        });
    }

    /** {@code time_bucket} on TimescaleDB, {@code date_bin} otherwise: the same hours either way. */
    static String hourExpression(boolean timescale) {
        return timescale ? "time_bucket(INTERVAL '1 hour', time)"
                : "date_bin(INTERVAL '1 hour', time, TIMESTAMPTZ '2000-01-03 00:00:00+00')";
    }

    public void start() {
        task.start();
    }

    /** Rolls up every hour that has ended since the last run (all of history on the first); returns how many hours. */
    public int runOnce() throws SQLException {
        Instant until = clock.instant().minus(SETTLE).truncatedTo(ChronoUnit.HOURS);
        Instant from;
        try (Connection c = dataSource.getConnection()) {
            from = progress(c);
            if (from == null) {
                from = oldestReading(c, until);
                if (from == null) {
                    runs.increment();
                    return 0;
                }
                log.info("telemetry rollup: rolling up the history from {} (charts over days read it)", from);
            }
        }
        int hours = 0;
        for (Instant hour = from; hour.isBefore(until); hour = hour.plus(Duration.ofHours(1))) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                hoursRolled.increment(rollUp(c, hour, hour.plus(Duration.ofHours(1)), null));
                setProgress(c, hour.plus(Duration.ofHours(1)));
                c.commit();
            }
            rolledUpTo.set(hour.plus(Duration.ofHours(1)));
            hours++;
        }
        if (hours > 24) {
            log.info("telemetry rollup: {} hours rolled up, up to {}", hours, until);
        }
        runs.increment();
        return hours;
    }

    /** Recomputes the rows of [from, to) (whole hours) from readings, for one device or (null) all; returns rows written. */
    int rollUp(Connection c, Instant from, Instant to, String device) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ROLLUP_SQL.formatted(hourExpr,
                device == null ? "" : "AND device_id = ?"))) {
            ps.setTimestamp(1, Timestamp.from(from));
            ps.setTimestamp(2, Timestamp.from(to));
            if (device != null) {
                ps.setString(3, device);
            }
            return ps.executeUpdate();
        }
    }

    private Instant progress(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT rolled_up_to FROM readings_hourly_progress");
             ResultSet rs = ps.executeQuery()) {
            Instant at = rs.next() ? rs.getTimestamp(1).toInstant() : null;
            rolledUpTo.set(at);
            return at;
        }
    }

    private Instant oldestReading(Connection c, Instant until) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT min(time) FROM readings WHERE time >= ?")) {
            ps.setTimestamp(1, Timestamp.from(until.minus(SeriesApi.MAX_SPAN)));
            try (ResultSet rs = ps.executeQuery()) {
                Timestamp t = rs.next() ? rs.getTimestamp(1) : null;
                return t == null ? null : t.toInstant().truncatedTo(ChronoUnit.HOURS);
            }
        }
    }

    private static void setProgress(Connection c, Instant to) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO readings_hourly_progress (rolled_up_to) VALUES (?)"
                + " ON CONFLICT (one) DO UPDATE SET rolled_up_to = excluded.rolled_up_to")) {
            ps.setTimestamp(1, Timestamp.from(to));
            ps.executeUpdate();
        }
    }

    @Override
    public void close() {
        task.close();
    }
}
