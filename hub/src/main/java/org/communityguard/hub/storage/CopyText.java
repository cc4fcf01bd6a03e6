package org.communityguard.hub.storage;

import java.io.Writer;

/**
 * Appends values in PostgreSQL's COPY text format to a {@link StringBuilder}. It is also a
 * {@link Writer}, so Jackson can serialize a JSON value straight into a COPY field without an
 * intermediate string.
 */
final class CopyText extends Writer {

    private final StringBuilder out;

    CopyText(StringBuilder out) {
        this.out = out;
    }

    CopyText nul() {
        out.append("\\N");
        return this;
    }

    CopyText text(String value) {
        if (value == null) {
            return nul();
        }
        write(value, 0, value.length());
        return this;
    }

    CopyText number(long value) {
        out.append(value);
        return this;
    }

    CopyText tab() {
        out.append('\t');
        return this;
    }

    CopyText endRow() {
        out.append('\n');
        return this;
    }

    private void escape(char c) {
        switch (c) {
            case '\\' -> out.append("\\\\");
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            default -> out.append(c);
        }
    }

    private static boolean reserved(char c) {
        return c == '\\' || c == '\n' || c == '\r' || c == '\t';
    }

    /**
     * Appends runs of ordinary characters whole and escapes the few reserved ones: almost every
     * character of a row is ordinary, and escaping them one by one cost about a fifth of the hub's
     * CPU per reading (profiled with deploy/bench.sh ingest, docs/benchmarks.md).
     */
    @Override
    public void write(char[] buf, int off, int len) {
        int run = off;
        for (int i = off; i < off + len; i++) {
            if (reserved(buf[i])) {
                out.append(buf, run, i - run);
                escape(buf[i]);
                run = i + 1;
            }
        }
        out.append(buf, run, off + len - run);
    }

    @Override
    public void write(String str, int off, int len) {
        int run = off;
        for (int i = off; i < off + len; i++) {
            if (reserved(str.charAt(i))) {
                out.append(str, run, i);
                escape(str.charAt(i));
                run = i + 1;
            }
        }
        out.append(str, run, off + len);
    }

    @Override
    public void write(int c) {
        escape((char) c);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
