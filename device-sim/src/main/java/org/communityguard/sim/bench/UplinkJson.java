package org.communityguard.sim.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** Encodes a batch as the uplink v1 payload (docs/uplink.md, "Batch"). */
public final class UplinkJson {

    private static final JsonFactory JSON = new JsonFactory();

    private UplinkJson() {
    }

    public static byte[] batch(String gatewayId, String batchId, List<BenchReading> readings) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 * readings.size() + 128);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("v", 1);
            g.writeStringField("gateway", gatewayId);
            g.writeStringField("batch", batchId);
            g.writeArrayFieldStart("readings");
            for (BenchReading r : readings) {
                g.writeStartObject();
                g.writeStringField("device", r.device());
                g.writeStringField("type", r.type());
                g.writeStringField("kind", r.kind());
                g.writeNumberField("rx", r.rx());
                g.writeNumberField("ts", r.ts());
                g.writeNumberField("seq", r.seq());
                g.writeFieldName("data");
                // Rendered by Fleet, which only writes numbers, booleans and plain words.
                g.writeRawValue(r.dataJson());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            // A ByteArrayOutputStream does not fail.
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
