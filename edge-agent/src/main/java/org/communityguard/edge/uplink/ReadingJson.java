package org.communityguard.edge.uplink;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumSet;
import java.util.Set;
import org.communityguard.edge.buffer.ReadingCodec;
import org.communityguard.edge.device.DeviceType;
import org.communityguard.edge.device.Flag;
import org.communityguard.edge.device.Kind;
import org.communityguard.edge.device.Reading;

/** One reading as the uplink contract v1 writes it (docs/uplink.md, "Reading"), and back. */
public final class ReadingJson implements ReadingCodec {

    private final ObjectMapper json;

    public ReadingJson(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public byte[] encode(Reading r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = json.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
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
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    @Override
    public Reading decode(byte[] encoded) {
        JsonNode n;
        try {
            n = json.readTree(encoded);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        if (n == null || !n.isObject() || !n.path("data").isObject()) {
            throw new IllegalArgumentException("not an uplink reading object");
        }
        DeviceType type = DeviceType.fromUplinkName(n.path("type").asText(""))
                .orElseThrow(() -> new IllegalArgumentException("unknown type " + n.path("type")));
        Kind kind = switch (n.path("kind").asText("")) {
            case "telemetry" -> Kind.TELEMETRY;
            case "event" -> Kind.EVENT;
            case "status" -> Kind.STATUS;
            default -> throw new IllegalArgumentException("unknown kind " + n.path("kind"));
        };
        Set<Flag> flags = EnumSet.noneOf(Flag.class);
        for (JsonNode f : n.path("flags")) {
            for (Flag flag : Flag.values()) {
                if (flag.wireName().equals(f.asText())) {
                    flags.add(flag);
                }
            }
        }
        return new Reading(n.path("device").asText(), type, kind, n.path("rx").asLong(),
                n.hasNonNull("ts") ? n.path("ts").asLong() : null,
                n.hasNonNull("seq") ? n.path("seq").asLong() : null,
                flags, (ObjectNode) n.path("data"));
    }
}
