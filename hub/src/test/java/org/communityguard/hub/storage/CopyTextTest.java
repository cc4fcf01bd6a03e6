package org.communityguard.hub.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.communityguard.hub.Hub;
import org.communityguard.hub.ingest.IncomingReading;
import org.junit.jupiter.api.Test;

class CopyTextTest {

    @Test
    void escapesTheCharactersCopyTextFormatReserves() {
        StringBuilder sb = new StringBuilder();
        new CopyText(sb).text("a\\b\tc\nd\re").tab().nul().endRow();

        assertThat(sb.toString()).isEqualTo("a\\\\b\\tc\\nd\\re\t\\N\n");
    }

    @Test
    void escapesReservedCharactersAtTheEdgesOfAValueAndOfAWrittenRange() {
        StringBuilder sb = new StringBuilder();
        CopyText text = new CopyText(sb);
        text.text("\tab\\").tab().text("").tab();
        // Writer form, as Jackson uses it: only chars 1..4 of the buffer ("\nc\td").
        text.write(new char[] {'x', '\n', 'c', '\t', 'd', 'y'}, 1, 4);

        assertThat(sb.toString()).isEqualTo("\\tab\\\\\t\t\\nc\\td");
    }

    @Test
    void rowHasOneFieldPerColumnAndJsonBackslashesSurvive() {
        ObjectNode data = JsonNodeFactory.instance.objectNode().put("code", "E\\1 \"quoted\"\nline");
        IncomingReading r = new IncomingReading("smoke-1", "smoke_detector", "event", 1763764800123L, 1763764800200L,
                null, 7L, List.of("clock_skew", "unprovisioned"), data);
        StringBuilder sb = new StringBuilder();

        new ReadingStore(Hub.jsonMapper(), 1000, new SimpleMeterRegistry()).appendRow(new CopyText(sb), "gw-1", r);

        String[] fields = sb.toString().split("\t", -1);
        assertThat(fields).hasSize(10);
        assertThat(fields[0]).isEqualTo("2025-11-21T22:40:00.123Z");
        assertThat(fields[2]).isEqualTo("\\N");
        assertThat(fields[7]).isEqualTo("7");
        assertThat(fields[8]).isEqualTo("{clock_skew,unprovisioned}");
        // JSON escapes the backslash and newline; COPY escapes JSON's backslashes once more.
        assertThat(fields[9]).isEqualTo("{\"code\":\"E\\\\\\\\1 \\\\\"quoted\\\\\"\\\\nline\"}\n");
    }
}
