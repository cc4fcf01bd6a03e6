package org.communityguard.edge.uplink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Set;
import org.communityguard.edge.buffer.Batch;
import org.communityguard.edge.device.DeviceType;
import org.communityguard.edge.device.Flag;
import org.communityguard.edge.device.Kind;
import org.communityguard.edge.device.Reading;
import org.junit.jupiter.api.Test;

/** The edge side of the uplink contract: our encoder must produce the golden sample exactly. */
class BatchEncoderTest {

    private final ObjectMapper json = new ObjectMapper();
    private final ReadingJson codec = new ReadingJson(json);

    private ObjectNode data(String json) throws IOException {
        return (ObjectNode) this.json.readTree(json);
    }

    @Test
    void encodesTheAllTypesGoldenSample() throws IOException {
        List<Reading> readings = List.of(
                new Reading("lamp-b1-01", DeviceType.LAMP_POST, Kind.TELEMETRY, 1763764800200L, 1763764800123L, 42L, Set.of(),
                        data("{\"lamp_on\": true, \"dim_pct\": 80, \"power_w\": 61.5, \"voltage_v\": 229.8, \"current_a\": 0.27,"
                                + " \"leakage_ma\": 1.2, \"tilt_deg\": 0.4, \"lux\": 3.1, \"cabinet_open\": false, \"vendor_fw\": \"2.4.1\"}")),
                new Reading("lamp-b1-01", DeviceType.LAMP_POST, Kind.EVENT, 1763764801200L, 1763764801100L, 43L, Set.of(),
                        data("{\"event\": \"tamper\"}")),
                new Reading("manhole-07", DeviceType.MANHOLE, Kind.TELEMETRY, 1763764802000L, 1763764801950L, 4294967295L, Set.of(),
                        data("{\"cover_open\": false, \"tilt_deg\": 1.5, \"water_below_cover_cm\": 84, \"ch4_pct_lel\": 0,"
                                + " \"h2s_ppm\": 0.2, \"battery_pct\": 91, \"rssi_dbm\": -97}")),
                new Reading("manhole-07", DeviceType.MANHOLE, Kind.EVENT, 1763764803000L, null, 0L, Set.of(),
                        data("{\"event\": \"cover_opened\"}")),
                new Reading("smoke-b1-03", DeviceType.SMOKE_DETECTOR, Kind.TELEMETRY, 1763764804000L, 1763764100000L, 7L,
                        Set.of(Flag.CLOCK_SKEW),
                        data("{\"smoke_obscuration_pct_m\": 0.4, \"temp_c\": 23.5, \"alarm\": false, \"tamper\": false,"
                                + " \"battery_pct\": 88, \"rssi_dbm\": -88}")),
                new Reading("smoke-b1-03", DeviceType.SMOKE_DETECTOR, Kind.EVENT, 1763764805000L, 1763764804990L, 8L, Set.of(),
                        data("{\"event\": \"alarm\", \"level\": \"alarm\"}")),
                new Reading("door-b1-01", DeviceType.DOOR_ACCESS, Kind.TELEMETRY, 1763764806000L, 1763764805990L, null, Set.of(),
                        data("{\"door_open\": false, \"locked\": true, \"open_s\": 0}")),
                new Reading("door-b1-01", DeviceType.DOOR_ACCESS, Kind.EVENT, 1763764807000L, 1763764806990L, 1001L, Set.of(),
                        data("{\"event\": \"access\", \"result\": \"denied\", \"method\": \"card\", \"subject\": \"psn1:0b5Qn4mJ3kV2xY8zR1tW6e\"}")),
                new Reading("door-b9-99", DeviceType.DOOR_ACCESS, Kind.STATUS, 1763764808000L, null, null, Set.of(Flag.UNPROVISIONED),
                        data("{\"status\": \"offline\"}")));
        Batch batch = new Batch("3f0c7c1e-6a57-4b57-9a43-2f4a7a3b9c10", 0, readings.stream().map(codec::encode).toList());

        JsonNode encoded = json.readTree(new BatchEncoder(json).encode("gw-sunny-1", batch));

        JsonNode golden;
        try (InputStream in = getClass().getResourceAsStream("/uplink/batch-all-types.json")) {
            assertThat(in).as("golden sample on the test classpath").isNotNull();
            golden = json.readTree(in);
        }
        assertThat(encoded).isEqualTo(golden);
        // What the buffer writes to disk reads back as the same reading.
        for (Reading r : readings) {
            assertThat(codec.decode(codec.encode(r))).isEqualTo(r);
        }
    }

    @Test
    void omitsOptionalFieldsAsInTheMinimalSample() throws IOException {
        Reading r = new Reading("smoke-b2-01", DeviceType.SMOKE_DETECTOR, Kind.TELEMETRY, 1763764800000L, null, null, Set.of(),
                data("{\"smoke_obscuration_pct_m\": 0.1}"));

        JsonNode encoded = json.readTree(new BatchEncoder(json).encode("gw-sunny-1",
                new Batch("gw-sunny-1:1763764800000:1", 0, List.of(codec.encode(r)))));

        try (InputStream in = getClass().getResourceAsStream("/uplink/batch-minimal.json")) {
            assertThat(encoded).isEqualTo(json.readTree(in));
        }
    }
}
