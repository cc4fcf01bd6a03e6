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
        for (int i = 0; i < value.length(); i++) {
            escape(value.charAt(i));
        }
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

    @Override
    public void write(char[] buf, int off, int len) {
        for (int i = off; i < off + len; i++) {
            escape(buf[i]);
        }
    }

    @Override
    public void write(String str, int off, int len) {
        for (int i = off; i < off + len; i++) {
            escape(str.charAt(i));
        }
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
