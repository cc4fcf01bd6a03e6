package org.communityguard.sim.bench;

import java.time.Instant;

/**
 * Readings as rows of PostgreSQL's COPY text format, in the column order and value forms the
 * hub's {@code storage.ReadingStore} writes: ISO-8601 times, no flags (\N), {@code data} as the
 * compact JSON the hub would re-serialize. The raw COPY path then moves the same bytes as the hub.
 */
final class CopyRows {

    /** The hub's statement (storage.ReadingStore.COPY_SQL). */
    static final String COPY_SQL = "COPY readings (time, received_at, device_ts, gateway_id, device_id,"
            + " device_type, kind, seq, flags, data) FROM STDIN";

    private CopyRows() {
    }

    static void append(StringBuilder out, String gatewayId, BenchReading r) {
        // The benchmark's device clocks are never skewed, so a reading is timed by its ts.
        out.append(Instant.ofEpochMilli(r.ts())).append('\t')
                .append(Instant.ofEpochMilli(r.rx())).append('\t')
                .append(Instant.ofEpochMilli(r.ts())).append('\t');
        escaped(out, gatewayId).append('\t');
        escaped(out, r.device()).append('\t');
        escaped(out, r.type()).append('\t');
        escaped(out, r.kind()).append('\t')
                .append(r.seq()).append('\t')
                .append("\\N").append('\t');
        escaped(out, r.dataJson()).append('\n');
    }

    private static StringBuilder escaped(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(c);
            }
        }
        return out;
    }
}
