package org.communityguard.edge.uplink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.communityguard.edge.buffer.Batch;

/**
 * Writes a {@link Batch} as the uplink contract v1 batch (docs/uplink.md). The readings are
 * already encoded ({@link ReadingJson}, when they were buffered), so they are copied as they are.
 */
public final class BatchEncoder {

    private final ObjectMapper json;

    public BatchEncoder(ObjectMapper json) {
        this.json = json;
    }

    public byte[] encode(String gatewayId, Batch batch) {
        int size = 128;
        for (byte[] r : batch.readings()) {
            size += r.length + 1;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        out.writeBytes("{\"v\":1,\"gateway\":".getBytes(StandardCharsets.UTF_8));
        out.writeBytes(string(gatewayId));
        out.writeBytes(",\"batch\":".getBytes(StandardCharsets.UTF_8));
        out.writeBytes(string(batch.id()));
        out.writeBytes(",\"readings\":[".getBytes(StandardCharsets.UTF_8));
        boolean first = true;
        for (byte[] r : batch.readings()) {
            if (!first) {
                out.write(',');
            }
            out.writeBytes(r);
            first = false;
        }
        out.writeBytes("]}".getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /**
     * The bytes of a batch besides its readings and their commas, for the longest batch id the
     * contract allows (64 characters): what a batch's size limit must leave room for.
     */
    public int envelopeBytes(String gatewayId) {
        return encode(gatewayId, new Batch("x".repeat(64), 0, java.util.List.of())).length;
    }

    private byte[] string(String s) {
        try {
            return json.writeValueAsBytes(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a string always encodes", e);
        }
    }
}
