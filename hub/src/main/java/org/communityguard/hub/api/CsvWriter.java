package org.communityguard.hub.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * CSV as RFC 4180 writes it: fields separated by commas, records ended by CRLF, a field quoted
 * (its quotes doubled) when it holds a comma, a quote, CR or LF. Text that a spreadsheet would
 * run as a formula (starting with {@code = + - @}, tab or CR) gets a leading apostrophe, the
 * OWASP guard against CSV injection: a grid name comes from a site file, not from us. Numbers
 * go through {@link #number} and are never guarded. The quoting itself is Jackson's CSV writer.
 */
public final class CsvWriter {

    private static final CsvMapper MAPPER = new CsvMapper();
    private static final CsvSchema SCHEMA = CsvSchema.emptySchema().withLineSeparator("\r\n").withNullValue("");

    private final List<List<String>> rows = new ArrayList<>();

    /** One record; null fields are empty. */
    public CsvWriter row(List<String> fields) {
        rows.add(fields);
        return this;
    }

    /** A text field as a spreadsheet should show it, never as a formula. */
    public static String text(String value) {
        if (value == null || value.isEmpty()) {
            return value;
        }
        char first = value.charAt(0);
        return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r'
                ? "'" + value : value;
    }

    /** A number without exponent or trailing ".0"; null, NaN and infinities (no figure to show) are an empty field. */
    public static String number(Number value) {
        if (value == null) {
            return "";
        }
        double d = value.doubleValue();
        if (!Double.isFinite(d)) {
            return "";
        }
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d)
                : java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    @Override
    public String toString() {
        try {
            // Strict: quote only what needs it, so plain names read as they are.
            return MAPPER.writer(SCHEMA).with(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING).writeValueAsString(rows);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
