package org.communityguard.hub.supervision;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.communityguard.hub.api.HttpError;
import org.communityguard.hub.api.Request;
import org.communityguard.hub.api.Response;

/**
 * {@code GET /api/supervision?from=&to=&by=grid|department}: the street office's view (监督考核)
 * of how incidents opened in the period were handled, per grid or department, computed in
 * SQL from the timeline alone (what happened when, and to whom it was dispatched last):
 * count, false alarms, mean and p90 seconds to acknowledge and to resolve (from opening),
 * SLA compliance (share of incidents, false alarms aside, with no escalation, i.e. no missed
 * deadline), reopen rate and mean rating.
 *
 * <p>{@code &format=csv} (or {@code Accept: text/csv}) answers the same report as a CSV file to
 * download ({@link SupervisionCsv}).
 */
public final class SupervisionApi {

    private static final String SQL = """
            WITH inc AS (
                SELECT i.id, i.status,
                       (SELECT t.details ->> ? FROM incident_timeline t
                         WHERE t.incident_id = i.id AND t.action = 'dispatched' ORDER BY t.seq DESC LIMIT 1) AS unit,
                       (SELECT min(t.at) FROM incident_timeline t WHERE t.incident_id = i.id AND t.action = 'opened') AS opened,
                       (SELECT min(t.at) FROM incident_timeline t WHERE t.incident_id = i.id AND t.action = 'acknowledged') AS acked,
                       (SELECT min(t.at) FROM incident_timeline t WHERE t.incident_id = i.id AND t.action = 'resolved') AS resolved,
                       EXISTS (SELECT 1 FROM incident_timeline t WHERE t.incident_id = i.id AND t.action = 'escalated') AS escalated,
                       EXISTS (SELECT 1 FROM incident_timeline t WHERE t.incident_id = i.id AND t.action = 'reopened') AS reopened,
                       (SELECT (t.details ->> 'rating')::int FROM incident_timeline t
                         WHERE t.incident_id = i.id AND t.action = 'closed' ORDER BY t.seq DESC LIMIT 1) AS rating
                FROM incidents i
                WHERE i.opened_at >= ? AND i.opened_at < ?
            )
            SELECT GROUPING(coalesce(unit, '(none)')) = 1 AS total, coalesce(unit, '(none)'),
                   count(*),
                   count(*) FILTER (WHERE status = 'cancelled'),
                   avg(extract(epoch FROM acked - opened)),
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM acked - opened)),
                   avg(extract(epoch FROM resolved - opened)),
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM resolved - opened)),
                   100.0 * count(*) FILTER (WHERE status <> 'cancelled' AND NOT escalated)
                         / nullif(count(*) FILTER (WHERE status <> 'cancelled'), 0),
                   100.0 * count(*) FILTER (WHERE status <> 'cancelled' AND reopened)
                         / nullif(count(*) FILTER (WHERE status <> 'cancelled'), 0),
                   avg(rating),
                   count(rating)
            FROM inc
            GROUP BY GROUPING SETS ((coalesce(unit, '(none)')), ())
            ORDER BY 1, 2
            """;

    private final DataSource dataSource;

    public SupervisionApi(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** One row of the report; null where there is nothing to average (no incident acknowledged, none rated). */
    public record Row(String unit, long incidents, long falseAlarms, Double meanAcknowledgeS, Double p90AcknowledgeS,
                      Double meanResolveS, Double p90ResolveS, Double slaCompliancePct, Double reopenRatePct,
                      Double meanRating, long ratings) {
    }

    public record Report(Instant from, Instant to, String by, List<Row> rows, Row total) {
    }

    public Response get(Request req) throws Exception {
        boolean csv = req.wantsCsv();
        Report report = report(req);
        return csv ? SupervisionCsv.response(report) : Response.json(200, req.json().writeValueAsBytes(report));
    }

    private Report report(Request req) throws SQLException {
        String by = req.queryParam("by") == null ? "grid" : req.queryParam("by");
        if (!by.equals("grid") && !by.equals("department")) {
            throw HttpError.badRequest("'by' must be grid or department");
        }
        Instant to = req.timeParam("to", Instant.now());
        Instant from = req.timeParam("from", to.minus(30, ChronoUnit.DAYS));
        if (!from.isBefore(to)) {
            throw HttpError.badRequest("'from' must be before 'to'");
        }
        List<Row> rows = new ArrayList<>();
        Row total = null;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(SQL)) {
            ps.setString(1, by);
            ps.setTimestamp(2, Timestamp.from(from));
            ps.setTimestamp(3, Timestamp.from(to));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Row row = new Row(rs.getString(2), rs.getLong(3), rs.getLong(4), dbl(rs, 5), dbl(rs, 6), dbl(rs, 7),
                            dbl(rs, 8), dbl(rs, 9), dbl(rs, 10), dbl(rs, 11), rs.getLong(12));
                    if (rs.getBoolean(1)) {
                        total = new Row("(all)", row.incidents(), row.falseAlarms(), row.meanAcknowledgeS(),
                                row.p90AcknowledgeS(), row.meanResolveS(), row.p90ResolveS(), row.slaCompliancePct(),
                                row.reopenRatePct(), row.meanRating(), row.ratings());
                    } else {
                        rows.add(row);
                    }
                }
            }
        }
        return new Report(from, to, by, rows, total);
    }

    private static Double dbl(ResultSet rs, int column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? null : Math.round(v * 100) / 100.0;
    }
}
