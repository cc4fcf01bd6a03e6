package org.communityguard.edge.device;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The uplink contract's golden sample (docs/uplink/batch-all-types.json) read backwards: for each
 * of its readings, the device message that would have produced it is run through the codec and
 * the validator, and must give exactly that reading.
 */
class GoldenReadingsTest {

    private final ObjectMapper json = new ObjectMapper();
    private final PayloadCodec codec = new PayloadCodec(PayloadCodec.DEFAULT_MAX_PAYLOAD_BYTES);
    private final ReadingValidator validator = new ReadingValidator(Provisioning.of(Map.of(
            "lamp-b1-01", DeviceType.LAMP_POST,
            "manhole-07", DeviceType.MANHOLE,
            "smoke-b1-03", DeviceType.SMOKE_DETECTOR,
            "door-b1-01", DeviceType.DOOR_ACCESS)));

    @Test
    void deviceMessagesGiveTheGoldenReadings() throws Exception {
        JsonNode batch;
        try (InputStream in = getClass().getResourceAsStream("/uplink/batch-all-types.json")) {
            assertThat(in).as("golden sample on the test class path").isNotNull();
            batch = json.readTree(in);
        }
        assertThat(batch.path("readings")).hasSize(9);
        for (JsonNode golden : batch.path("readings")) {
            Reading reading = fromDevice(golden);
            String device = golden.path("device").textValue();
            assertThat(reading.deviceId()).isEqualTo(device);
            assertThat(reading.type().wireName()).as(device).isEqualTo(golden.path("type").textValue());
            assertThat(reading.kind().wireName()).as(device).isEqualTo(golden.path("kind").textValue());
            assertThat(reading.receivedAt()).as(device).isEqualTo(golden.path("rx").longValue());
            assertThat(reading.deviceTs()).as(device).isEqualTo(golden.has("ts") ? golden.path("ts").longValue() : null);
            assertThat(reading.seq()).as(device).isEqualTo(golden.has("seq") ? golden.path("seq").longValue() : null);
            Set<String> flags = new HashSet<>();
            reading.flags().forEach(flag -> flags.add(flag.wireName()));
            Set<String> goldenFlags = new HashSet<>();
            golden.path("flags").forEach(flag -> goldenFlags.add(flag.textValue()));
            assertThat(flags).as(device).isEqualTo(goldenFlags);
            assertThat(reading.data()).as(device).isEqualTo(golden.path("data"));
        }
    }

    /** The message a device would send for this golden reading, decoded and validated. */
    private Reading fromDevice(JsonNode golden) {
        String device = golden.path("device").textValue();
        long rx = golden.path("rx").longValue();
        if ("status".equals(golden.path("kind").textValue())) {
            byte[] text = golden.path("data").path("status").textValue().getBytes(StandardCharsets.UTF_8);
            return validator.status(device, text, DeviceType.fromWireName(golden.path("type").textValue()).orElseThrow(), rx).value();
        }
        ObjectNode message = json.createObjectNode().put("v", 1).put("type", golden.path("type").textValue());
        if (golden.has("ts")) {
            message.set("ts", golden.get("ts"));
        }
        if (golden.has("seq")) {
            message.set("seq", golden.get("seq"));
        }
        message.set("data", golden.get("data"));
        Kind kind = "event".equals(golden.path("kind").textValue()) ? Kind.EVENT : Kind.TELEMETRY;
        byte[] payload = message.toString().getBytes(StandardCharsets.UTF_8);
        Checked<Reading> checked = validator.validate(device, kind, codec.decode(PayloadFormat.JSON, payload).value(), rx);
        assertThat(checked.rejection()).as(device).isNull();
        return checked.value();
    }
}
