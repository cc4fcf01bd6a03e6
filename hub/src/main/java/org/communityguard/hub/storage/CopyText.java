package org.communityguard.hub.storage;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.Arrays;
import org.postgresql.copy.CopyIn;

/**
 * Rows in PostgreSQL's COPY text format, built as the UTF-8 bytes the COPY sends. It is also an
 * {@link OutputStream}, so Jackson writes a JSON value's UTF-8 straight into a COPY field: no
 * intermediate string, and no second pass turning characters into bytes (both were a large part
 * of the hub's CPU per reading in deploy/bench.sh ingest, docs/benchmarks.md).
 */
final class CopyText extends OutputStream {

    private static final long MS_PER_DAY = 86_400_000L;

    private byte[] buf;
    private int len;
    /** The last day {@link #timestamp} wrote, and its date: a batch's readings share a day. */
    private long day = Long.MIN_VALUE;
    private byte[] date;

    CopyText(int capacity) {
        buf = new byte[capacity];
    }

    CopyText nul() {
        ensure(2);
        buf[len++] = '\\';
        buf[len++] = 'N';
        return this;
    }

    CopyText text(String value) {
        if (value == null) {
            return nul();
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= 0x80) {
                // Identifiers are ASCII (BatchCodec checks them); anything else takes the general way.
                byte[] rest = value.substring(i).getBytes(StandardCharsets.UTF_8);
                write(rest, 0, rest.length);
                return this;
            }
            write(c);
        }
        return this;
    }

    CopyText number(long value) {
        return ascii(Long.toString(value));
    }

    /**
     * Epoch milliseconds as ISO-8601 UTC with milliseconds, "2026-12-07T15:10:17.123Z", the form
     * PostgreSQL's timestamptz reads. Only the date goes through java.time, once per day: formatting
     * every time with {@code Instant.toString} was about a tenth of the hub's CPU per reading.
     * BatchCodec keeps times within the years 1 to 9999, whose dates have four-digit years.
     */
    CopyText timestamp(long epochMs) {
        long d = Math.floorDiv(epochMs, MS_PER_DAY);
        if (d != day) {
            date = (LocalDate.ofEpochDay(d) + "T").getBytes(StandardCharsets.US_ASCII);
            day = d;
        }
        int ms = (int) Math.floorMod(epochMs, MS_PER_DAY);
        ensure(date.length + 13);
        System.arraycopy(date, 0, buf, len, date.length);
        len += date.length;
        digits(ms / 3_600_000, 2);
        buf[len++] = ':';
        digits(ms / 60_000 % 60, 2);
        buf[len++] = ':';
        digits(ms / 1000 % 60, 2);
        buf[len++] = '.';
        digits(ms % 1000, 3);
        buf[len++] = 'Z';
        return this;
    }

    CopyText tab() {
        return raw('\t');
    }

    CopyText endRow() {
        return raw('\n');
    }

    /** A character that needs no escaping, as it is. */
    CopyText raw(char c) {
        ensure(1);
        buf[len++] = (byte) c;
        return this;
    }

    int length() {
        return len;
    }

    /** Sends what is here to {@code copy} and starts empty again. */
    void sendTo(CopyIn copy) throws SQLException {
        if (len > 0) {
            copy.writeToCopy(buf, 0, len);
            len = 0;
        }
    }

    /** The rows as text (tests read them so). */
    @Override
    public String toString() {
        return new String(buf, 0, len, StandardCharsets.UTF_8);
    }

    /**
     * Copies runs of ordinary bytes whole and escapes the four COPY reserves. UTF-8 encodes every
     * character beyond ASCII in bytes of 0x80 and above, so a reserved byte is always that character.
     */
    @Override
    public void write(byte[] b, int off, int n) {
        ensure(2 * n);
        int run = off;
        for (int i = off; i < off + n; i++) {
            byte c = b[i];
            if (c == '\\' || c == '\n' || c == '\r' || c == '\t') {
                int ordinary = i - run;
                System.arraycopy(b, run, buf, len, ordinary);
                len += ordinary;
                escape(c);
                run = i + 1;
            }
        }
        int ordinary = off + n - run;
        System.arraycopy(b, run, buf, len, ordinary);
        len += ordinary;
    }

    @Override
    public void write(int b) {
        ensure(2);
        switch (b) {
            case '\\', '\n', '\r', '\t' -> escape((byte) b);
            default -> buf[len++] = (byte) b;
        }
    }

    private void escape(byte c) {
        buf[len++] = '\\';
        buf[len++] = switch (c) {
            case '\n' -> 'n';
            case '\r' -> 'r';
            case '\t' -> 't';
            default -> '\\';
        };
    }

    private CopyText ascii(String s) {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            buf[len++] = (byte) s.charAt(i);
        }
        return this;
    }

    private void digits(int value, int width) {
        for (int i = len + width - 1; i >= len; i--) {
            buf[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        len += width;
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }
}
