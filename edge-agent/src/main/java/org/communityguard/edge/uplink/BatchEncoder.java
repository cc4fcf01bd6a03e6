package org.communityguard.edge.uplink;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.communityguard.edge.buffer.Batch;
import org.communityguard.edge.device.Flag;
import org.communityguard.edge.device.Reading;

/** Writes a {@link Batch} as the uplink contract v1 batch (docs/uplink.md). */
public final class BatchEncoder {

    private final ObjectMapper json;

    public BatchEncoder(ObjectMapper json) {
        this.json = json;
    }

    public byte[] encode(String gatewayId, Batch batch) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 * batch.readings().size() + 128);
        try (JsonGenerator g = json.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeNumberField("v", 1);
            g.writeStringField("gateway", gatewayId);
            g.writeStringField("batch", batch.id());
            g.writeArrayFieldStart("readings");
            for (Reading r : batch.readings()) {
                writeReading(g, r);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    private void writeReading(JsonGenerator g, Reading r) throws IOException {
        g.writeStartObject();
        g.writeStringField("device", r.deviceId());
        g.writeStringField("type", r.type().wireName());
        g.writeStringField("kind", r.kind().wireName());
        g.writeNumberField("rx", r.receivedAt());
        if (r.deviceTs() != null) {
            g.writeNumberField("ts", r.deviceTs());
        }
        if (r.seq() != null) {
            g.writeNumberField("seq", r.seq());
        }
        if (!r.flags().isEmpty()) {
            g.writeArrayFieldStart("flags");
            // Enum order, so the same reading always encodes the same way.
            for (Flag f : Flag.values()) {
                if (r.flags().contains(f)) {
                    g.writeString(f.wireName());
                }
            }
            g.writeEndArray();
        }
        g.writeFieldName("data");
        json.writeTree(g, r.data());
        g.writeEndObject();
    }
}
