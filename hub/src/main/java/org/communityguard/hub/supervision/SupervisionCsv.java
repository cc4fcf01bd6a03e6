package org.communityguard.hub.supervision;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.communityguard.hub.api.CsvWriter;
import org.communityguard.hub.api.Response;

/**
 * The supervision report as a CSV file for the street office's spreadsheets: one row per grid
 * (or department), then the total as unit {@code (all)}; the same numbers and units as the JSON.
 */
final class SupervisionCsv {

    static final String CONTENT_TYPE = "text/csv; charset=utf-8; header=present";
    /** Excel opens a UTF-8 file without this mark in the machine's code page (GBK in China) and garbles Chinese names. */
    private static final String BOM = "\uFEFF";
    static final List<String> COLUMNS = List.of("incidents", "false_alarms", "mean_acknowledge_s", "p90_acknowledge_s",
            "mean_resolve_s", "p90_resolve_s", "sla_compliance_pct", "reopen_rate_pct", "mean_rating", "ratings");

    private SupervisionCsv() {
    }

    static String csv(SupervisionApi.Report report) {
        List<String> header = new ArrayList<>();
        header.add(report.by());
        header.addAll(COLUMNS);
        CsvWriter csv = new CsvWriter().row(header);
        for (SupervisionApi.Row row : report.rows()) {
            csv.row(fields(row));
        }
        if (report.total() != null) {
            csv.row(fields(report.total()));
        }
        return csv.toString();
    }

    static Response response(SupervisionApi.Report report) {
        String name = "supervision-by-" + report.by() + "-" + report.from().toString().substring(0, 10)
                + "-to-" + report.to().toString().substring(0, 10) + ".csv";
        return new Response(200, CONTENT_TYPE, (BOM + csv(report)).getBytes(StandardCharsets.UTF_8))
                .withHeader("Content-Disposition", "attachment; filename=\"" + name + "\"");
    }

    private static List<String> fields(SupervisionApi.Row r) {
        return List.of(CsvWriter.text(r.unit()), CsvWriter.number(r.incidents()), CsvWriter.number(r.falseAlarms()),
                CsvWriter.number(r.meanAcknowledgeS()), CsvWriter.number(r.p90AcknowledgeS()),
                CsvWriter.number(r.meanResolveS()), CsvWriter.number(r.p90ResolveS()),
                CsvWriter.number(r.slaCompliancePct()), CsvWriter.number(r.reopenRatePct()),
                CsvWriter.number(r.meanRating()), CsvWriter.number(r.ratings()));
    }
}
