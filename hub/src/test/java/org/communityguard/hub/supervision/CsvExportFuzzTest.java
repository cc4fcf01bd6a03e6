package org.communityguard.hub.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.communityguard.hub.api.CsvWriter;
import org.communityguard.testkit.fuzz.Choices;
import org.communityguard.testkit.fuzz.Fuzzing;
import org.communityguard.testkit.fuzz.Mutations;
import org.junit.jupiter.api.Test;

/**
 * The hub's CSV exports under generated input, {@value Fuzzing#SHORT_TRIES} tries
 * ({@link CsvExportFuzzer} runs the same property in deploy/bench.sh fuzz): rows of text and number
 * cells through {@link CsvWriter}, and supervision reports through {@link SupervisionCsv}. Text
 * cells are of every kind: formula starters, quotes, commas, line breaks, CJK, controls.
 *
 * <p>What must hold: writing never throws; read back by another parser (Commons CSV, RFC 4180)
 * the file has the same records and values; no text cell starts with {@code = + - @}, tab or CR
 * unless neutralised by a leading apostrophe, and a number cell is a plain decimal number or empty.
 */
class CsvExportFuzzTest {

    static final String DECODER = "csv_export";
    static final Fuzzing.Property PROPERTY = CsvExportFuzzTest::check;

    private static final CSVFormat RFC4180 = CSVFormat.RFC4180;

    @Test
    void exportsReadBackAsWrittenAndRunNoFormula() {
        Fuzzing.run(DECODER, PROPERTY);
    }

    static Fuzzing.Verdict check(Choices in) throws Exception {
        return in.flip() ? rows(in) : supervision(in);
    }

    private static Fuzzing.Verdict rows(Choices in) throws Exception {
        List<List<String>> written = new ArrayList<>();
        List<List<Boolean>> isText = new ArrayList<>();
        CsvWriter csv = new CsvWriter();
        int width = in.between(1, 6);
        for (int r = in.between(1, 6); r > 0; r--) {
            List<String> row = new ArrayList<>();
            List<Boolean> kinds = new ArrayList<>();
            for (int c = 0; c < width; c++) {
                boolean text = in.flip();
                row.add(text ? CsvWriter.text(in.chance(10) ? null : cleanText(in)) : CsvWriter.number(number(in)));
                kinds.add(text);
            }
            csv.row(row);
            written.add(row);
            isText.add(kinds);
        }
        List<CSVRecord> read = RFC4180.parse(new StringReader(csv.toString())).getRecords();
        assertThat(read).hasSize(written.size());
        for (int r = 0; r < read.size(); r++) {
            assertThat(read.get(r).size()).isEqualTo(width);
            for (int c = 0; c < width; c++) {
                String cell = read.get(r).get(c);
                String expected = written.get(r).get(c);
                assertThat(cell).isEqualTo(expected == null ? "" : expected);
                if (isText.get(r).get(c)) {
                    assertNoFormula(cell);
                } else {
                    assertPlainNumber(cell);
                }
            }
        }
        return Fuzzing.accepted();
    }

    private static Fuzzing.Verdict supervision(Choices in) throws Exception {
        List<SupervisionApi.Row> rows = new ArrayList<>();
        for (int i = in.between(0, 5); i > 0; i--) {
            rows.add(row(in, cleanText(in)));
        }
        SupervisionApi.Row total = in.flip() ? row(in, "(all)") : null;
        String by = in.flip() ? "grid" : "department";
        SupervisionApi.Report report = new SupervisionApi.Report(Instant.parse("2026-03-01T00:00:00Z"),
                Instant.parse("2026-04-01T00:00:00Z"), by, rows, total);
        String body = new String(SupervisionCsv.response(report).body(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(body).startsWith("\uFEFF");
        List<CSVRecord> read = RFC4180.parse(new StringReader(body.substring(1))).getRecords();
        List<SupervisionApi.Row> expected = new ArrayList<>(rows);
        if (total != null) {
            expected.add(total);
        }
        assertThat(read).hasSize(expected.size() + 1);
        assertThat(read.get(0).get(0)).isEqualTo(by);
        assertThat(read.get(0).toList().subList(1, read.get(0).size())).isEqualTo(SupervisionCsv.COLUMNS);
        for (int i = 0; i < expected.size(); i++) {
            CSVRecord record = read.get(i + 1);
            SupervisionApi.Row row = expected.get(i);
            assertThat(record.size()).isEqualTo(SupervisionCsv.COLUMNS.size() + 1);
            assertNoFormula(record.get(0));
            assertThat(record.get(0)).isEqualTo(CsvWriter.text(row.unit()) == null ? "" : CsvWriter.text(row.unit()));
            List<Number> numbers = List.of(row.incidents(), row.falseAlarms(), orNaN(row.meanAcknowledgeS()),
                    orNaN(row.p90AcknowledgeS()), orNaN(row.meanResolveS()), orNaN(row.p90ResolveS()),
                    orNaN(row.slaCompliancePct()), orNaN(row.reopenRatePct()), orNaN(row.meanRating()), row.ratings());
            for (int c = 1; c < record.size(); c++) {
                assertPlainNumber(record.get(c));
                Number n = numbers.get(c - 1);
                if (n instanceof Double d && !Double.isFinite(d)) {
                    assertThat(record.get(c)).as("no value").isEmpty();
                } else {
                    assertThat(new BigDecimal(record.get(c)).doubleValue()).isEqualTo(n.doubleValue());
                }
            }
        }
        return Fuzzing.accepted();
    }

    private static Number orNaN(Double d) {
        return d == null ? Double.NaN : d;
    }

    private static SupervisionApi.Row row(Choices in, String unit) {
        return new SupervisionApi.Row(unit, in.longBetween(0, 1_000_000), in.longBetween(0, 1000), dbl(in), dbl(in), dbl(in),
                dbl(in), dbl(in), dbl(in), dbl(in), in.longBetween(0, 1000));
    }

    /** A KPI as the database may give it: none, a plain figure, or any double at all (NaN and infinities included). */
    private static Double dbl(Choices in) {
        return switch (in.between(0, 3)) {
            case 0 -> null;
            case 1 -> in.between(0, 1_000_000) / 100.0;
            default -> in.anyDouble();
        };
    }

    private static Number number(Choices in) {
        return switch (in.between(0, 3)) {
            case 0 -> null;
            case 1 -> in.longBetween(Long.MIN_VALUE, Long.MAX_VALUE);
            case 2 -> in.between(Integer.MIN_VALUE, Integer.MAX_VALUE);
            default -> in.anyDouble();
        };
    }

    /** Text as the database holds it (no U+0000, no lone surrogate), of every other kind. */
    private static String cleanText(Choices in) {
        return Mutations.storable(in.text(20));
    }

    private static void assertNoFormula(String cell) {
        if (!cell.isEmpty()) {
            assertThat("=+-@\t\r".indexOf(cell.charAt(0))).as("a formula starter opens %s", cell).isEqualTo(-1);
        }
    }

    private static void assertPlainNumber(String cell) {
        assertThat(cell).as("a plain number or nothing").matches("|-?[0-9]+(\\.[0-9]+)?");
    }
}
