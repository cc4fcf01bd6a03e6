package org.communityguard.hub.api;

import java.util.List;

/**
 * CSV as RFC 4180 writes it: fields separated by commas, records ended by CRLF, a field quoted
 * (its quotes doubled) when it holds a comma, a quote, CR or LF. Text that a spreadsheet would
 * run as a formula (starting with {@code = + - @}, tab or CR) gets a leading apostrophe, the
 * OWASP guard against CSV injection: a grid name comes from a site file, not from us. Numbers
 * go through {@link #number} and are never guarded. Written here instead of pulling in a CSV
 * library for one export of a dozen columns.
 */
public final class CsvWriter {

    private final StringBuilder out = new StringBuilder();

    /** One record; null fields are empty. */
    public CsvWriter row(List<String> fields) {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(escape(fields.get(i)));
        }
        out.append("\r\n");
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

    /** A number without exponent or trailing ".0"; null is an empty field. */
    public static String number(Number value) {
        if (value == null) {
            return "";
        }
        double d = value.doubleValue();
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d)
                : java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    static String escape(String field) {
        if (field == null) {
            return "";
        }
        boolean quote = field.indexOf(',') >= 0 || field.indexOf('"') >= 0 || field.indexOf('\r') >= 0
                || field.indexOf('\n') >= 0;
        return quote ? '"' + field.replace("\"", "\"\"") + '"' : field;
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
