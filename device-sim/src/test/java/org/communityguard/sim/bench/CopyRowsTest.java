package org.communityguard.sim.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.communityguard.hub.Hub;
import org.junit.jupiter.api.Test;

class CopyRowsTest {

    @Test
    void aRowHasTheHubsTenColumnsInItsOrderAndForms() {
        BenchReading r = new BenchReading("gw-lamp-01", "lamp_post", "telemetry", 1_763_764_800_200L,
                1_763_764_800_123L, 42, "{\"lamp_on\":true,\"power_w\":61.5}");
        StringBuilder sb = new StringBuilder();

        CopyRows.append(sb, "gw", r);

        assertThat(sb.toString()).endsWith("\n");
        String[] f = sb.toString().substring(0, sb.length() - 1).split("\t", -1);
        assertThat(f).containsExactly(
                "2025-11-21T22:40:00.123Z",   // time: the device's ts
                "2025-11-21T22:40:00.200Z",   // received_at: rx
                "2025-11-21T22:40:00.123Z",   // device_ts
                "gw", "gw-lamp-01", "lamp_post", "telemetry",
                "42",                         // seq
                "\\N",                        // flags: none
                "{\"lamp_on\":true,\"power_w\":61.5}");
    }

    @Test
    void dataIsTheJsonTheHubWouldWriteBack() throws Exception {
        // The hub parses data and serializes it again into its COPY; the raw path must move the same bytes.
        ObjectMapper hubJson = Hub.jsonMapper();
        Fleet fleet = new Fleet("gw", 0, 11, () -> 1_763_764_800_000L);
        for (int i = 0; i < 1000; i++) {
            String data = fleet.next().dataJson();
            assertThat(hubJson.writeValueAsString(hubJson.readTree(data))).isEqualTo(data);
        }
    }

    @Test
    void copyTextReservedCharactersAreEscaped() {
        BenchReading r = new BenchReading("d", "door_access", "event", 1, 1, 0, "{\"note\":\"a\\\\b\"}");
        StringBuilder sb = new StringBuilder();

        CopyRows.append(sb, "gw", r);

        assertThat(sb.toString()).endsWith("\t{\"note\":\"a\\\\\\\\b\"}\n");
    }
}
