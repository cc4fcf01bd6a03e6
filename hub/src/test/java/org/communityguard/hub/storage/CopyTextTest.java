package org.communityguard.hub.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.communityguard.hub.Hub;
import org.communityguard.hub.ingest.IncomingReading;
import org.junit.jupiter.api.Test;

class CopyTextTest {

    /** BatchCodec's bounds: the first and last millisecond of the years 1 to 9999. */
    private static final long MIN_TIME_MS = -62_135_596_800_000L;
    private static final long MAX_TIME_MS = 253_402_300_799_999L;

    @Test
    void escapesTheCharactersCopyTextFormatReserves() {
        CopyText text = new CopyText(4);
        text.text("a\\b\tc\nd\re").tab().nul().endRow();

        assertThat(text.toString()).isEqualTo("a\\\\b\\tc\\nd\\re\t\\N\n");
    }

    @Test
    void escapesReservedBytesAtTheEdgesOfAValueAndOfAWrittenRange() {
        CopyText text = new CopyText(1);
        text.text("\tab\\").tab().text("").tab();
        // Stream form, as Jackson uses it: only bytes 1..4 of the buffer ("\nc\td").
        text.write(new byte[] {'x', '\n', 'c', '\t', 'd', 'y'}, 1, 4);
        text.write('\r');

        assertThat(text.toString()).isEqualTo("\\tab\\\\\t\t\\nc\\td\\r");
    }

    @Test
    void textBeyondAsciiIsUtf8AndStillEscaped() {
        CopyText text = new CopyText(2);
        text.text("gw-1 楼\t2 😀\\");

        assertThat(text.toString()).isEqualTo("gw-1 楼\\t2 😀\\\\");
    }

    @Test
    void timestampsReadBackAsTheSameInstantAcrossTheYearsTheHubStores() {
        SplittableRandom random = new SplittableRandom(20261207);
        CopyText text = new CopyText(64);
        long[] edges = {MIN_TIME_MS, MAX_TIME_MS, 0, -1, 1, 86_399_999, 86_400_000, -86_400_000, -86_400_001,
                951_782_400_000L /* 2000-02-29 */, 1_765_065_600_000L};
        for (int i = 0; i < 200_000 + edges.length; i++) {
            // Mostly far-apart instants, some within one day of the last (the cached date).
            long ms = i < edges.length ? edges[i]
                    : i % 3 == 0 ? random.nextLong(MIN_TIME_MS, MAX_TIME_MS + 1)
                    : Math.min(MAX_TIME_MS, Math.max(MIN_TIME_MS, edges[edges.length - 1] + random.nextLong(-5_000_000_000L, 5_000_000_000L)));
            text.timestamp(ms);
            String written = text.toString();
            text = new CopyText(64);

            assertThat(written).as("%d", ms).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
            assertThat(Instant.parse(written).toEpochMilli()).as(written).isEqualTo(ms);
        }
    }

    @Test
    void rowHasOneFieldPerColumnAndJsonBackslashesSurvive() throws Exception {
        ObjectNode data = JsonNodeFactory.instance.objectNode().put("code", "E\\1 \"quoted\"\nline").put("where", "楼");
        IncomingReading r = new IncomingReading("smoke-1", "smoke_detector", "event", 1763764800123L, 1763764800200L,
                null, 7L, List.of("clock_skew", "unprovisioned"), data);
        ReadingStore store = new ReadingStore(Hub.jsonMapper(), 1000, new SimpleMeterRegistry());
        CopyText row = new CopyText(16);

        try (JsonGenerator json = store.dataWriter(row)) {
            store.appendRow(row, json, "gw-1", r);
            store.appendRow(row, json, "gw-1", r.withFlag("late"));
        }

        String[] rows = row.toString().split("\n", -1);
        assertThat(rows).hasSize(3);
        assertThat(rows[2]).isEmpty();
        String[] fields = rows[0].split("\t", -1);
        assertThat(fields).hasSize(10);
        assertThat(fields[0]).isEqualTo("2025-11-21T22:40:00.123Z");
        assertThat(fields[1]).isEqualTo("2025-11-21T22:40:00.200Z");
        assertThat(fields[2]).isEqualTo("\\N");
        assertThat(fields[3]).isEqualTo("gw-1");
        assertThat(fields[7]).isEqualTo("7");
        assertThat(fields[8]).isEqualTo("{clock_skew,unprovisioned}");
        // JSON escapes the backslash and newline; COPY escapes JSON's backslashes once more.
        assertThat(fields[9]).isEqualTo("{\"code\":\"E\\\\\\\\1 \\\\\"quoted\\\\\"\\\\nline\",\"where\":\"楼\"}");
        // The second row's data starts right at its field: nothing written between the values.
        String[] second = rows[1].split("\t", -1);
        assertThat(second[8]).isEqualTo("{clock_skew,unprovisioned,late}");
        assertThat(second[9]).isEqualTo(fields[9]);
        assertThat(row.toString().getBytes(StandardCharsets.UTF_8)).hasSize(row.length());
    }
}
