package org.communityguard.sim.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConsoleHistoryTest {

    private static final DateTimeFormatter PG = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSX");

    @Test
    void timestampsAreExactUtcInstants() {
        for (long ms : new long[] {0, 1_763_764_800_123L, 1_763_764_859_999L, 1_700_000_000_007L}) {
            assertThat(OffsetDateTime.parse(ConsoleHistory.timestamp(ms), PG).toInstant()).isEqualTo(Instant.ofEpochMilli(ms));
        }
    }

    @Test
    void aStepIsOneCopyRowPerDeviceWithTheChartedFieldInIt() throws Exception {
        List<ConsoleHistory.Device> devices = ConsoleHistory.devices(8, 3);
        StringBuilder sb = new StringBuilder();
        ConsoleHistory.appendStep(sb, devices, 1_763_764_800_000L, 60_000, 42);
        String[] rows = sb.toString().split("\n");
        assertThat(rows).hasSize(8);
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < rows.length; i++) {
            String[] cols = rows[i].split("\t", -1);
            assertThat(cols).hasSize(10);
            assertThat(cols[4]).isEqualTo(devices.get(i).id());
            assertThat(cols[6]).isEqualTo("telemetry");
            assertThat(cols[7]).isEqualTo("42");
            assertThat(cols[8]).isEqualTo("\\N");
            assertThat(json.readTree(cols[9]).path(devices.get(i).chartField()).isNumber()).as(rows[i]).isTrue();
        }
        assertThat(Arrays.stream(rows).map(r -> r.split("\t")[5]).distinct())
                .containsExactlyInAnyOrder("smoke_detector", "manhole", "lamp_post", "door_access");
    }

    @Test
    void openIncidentsAreOnDistinctDevicesAndTheRestClosed() {
        List<ConsoleHistory.Device> devices = ConsoleHistory.devices(50, 5);
        String[] rows = ConsoleHistory.incidents(devices, 1000, 25, 0, 86_400_000L).split("\n");
        assertThat(rows).hasSize(1000);
        Set<String> openDevices = new HashSet<>();
        int open = 0;
        for (String row : rows) {
            String[] cols = row.split("\t", -1);
            assertThat(cols).hasSize(11);
            if (cols[2].equals("open")) {
                open++;
                openDevices.add(cols[5]);
            } else {
                assertThat(cols[2]).isIn("closed", "cancelled");
            }
        }
        assertThat(open).isEqualTo(25);
        assertThat(openDevices).hasSize(25);
    }

    @Test
    void theSiteFileListsEveryDevice() {
        List<ConsoleHistory.Device> devices = ConsoleHistory.devices(12, 4);
        String yaml = ConsoleHistory.siteYaml(devices, 4);
        assertThat(yaml).contains("community: bench-garden", "{id: B04, name: \"Building 4\"");
        for (ConsoleHistory.Device d : devices) {
            assertThat(yaml).contains("{id: " + d.id() + ", type: " + d.type());
        }
    }

    @Test
    void percentilesAreNearestRank() {
        double[] v = {5, 1, 4, 2, 3};
        assertThat(ConsoleBench.percentile(v, 50)).isEqualTo(3);
        assertThat(ConsoleBench.percentile(v, 100)).isEqualTo(5);
        assertThat(ConsoleBench.percentile(v, 1)).isEqualTo(1);
    }
}
