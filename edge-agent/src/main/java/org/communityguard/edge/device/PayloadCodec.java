package org.communityguard.edge.device;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.io.IOException;
import java.util.Optional;

/**
 * The one place that turns a device payload into a JSON tree, and a tree back into bytes for
 * answers. JSON and CBOR carry the same structure; the validator never sees which it was.
 *
 * <p>Never throws on device input: a payload that is empty, too large, not parseable, followed
 * by trailing bytes, or holding a duplicate key is a {@link Rejection}. Duplicate keys are refused
 * because {@code {"v":1,"v":2}} means different things to different parsers.
 */
public final class PayloadCodec {

    /** The device profile's limit for one CoAP payload; used for MQTT too. */
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1024;

    private final int maxPayloadBytes;
    private final ObjectMapper json;
    private final ObjectMapper cbor;

    public PayloadCodec(int maxPayloadBytes) {
        if (maxPayloadBytes < 1) {
            throw new IllegalArgumentException("maxPayloadBytes must be positive: " + maxPayloadBytes);
        }
        this.maxPayloadBytes = maxPayloadBytes;
        this.json = strict(new ObjectMapper());
        this.cbor = strict(new ObjectMapper(new CBORFactory()));
    }

    private static ObjectMapper strict(ObjectMapper mapper) {
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        return mapper;
    }

    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    /** The message object of a JSON or CBOR payload. */
    public Checked<ObjectNode> decode(PayloadFormat format, byte[] payload) {
        if (format != PayloadFormat.JSON && format != PayloadFormat.CBOR) {
            return Checked.rejected(RejectReason.UNSUPPORTED_FORMAT, RejectReason.UNSUPPORTED_FORMAT.description());
        }
        Optional<Rejection> size = sizeProblem(payload);
        if (size.isPresent()) {
            return Checked.rejected(size.get());
        }
        JsonNode tree;
        try {
            tree = (format == PayloadFormat.JSON ? json : cbor).readTree(payload);
        } catch (JacksonException e) {
            return Checked.rejected(RejectReason.MALFORMED, "not valid " + format.name().toLowerCase() + ": " + firstLine(e.getOriginalMessage()));
        } catch (IOException | RuntimeException e) {
            // Jackson reports some broken CBOR as plain IOExceptions or unchecked errors.
            return Checked.rejected(RejectReason.MALFORMED, "not valid " + format.name().toLowerCase());
        }
        if (tree == null || tree.isMissingNode()) {
            return Checked.rejected(RejectReason.MALFORMED, "empty payload");
        }
        if (!tree.isObject()) {
            return Checked.rejected(RejectReason.MALFORMED, "payload must be an object, not " + tree.getNodeType().name().toLowerCase());
        }
        return Checked.ok((ObjectNode) tree);
    }

    /** The size rule alone, also for payloads that are not trees (MQTT status text). */
    public Optional<Rejection> sizeProblem(byte[] payload) {
        if (payload == null || payload.length == 0) {
            return Optional.of(Rejection.of(RejectReason.MALFORMED, "empty payload"));
        }
        if (payload.length > maxPayloadBytes) {
            return Optional.of(Rejection.of(RejectReason.TOO_LARGE,
                    "payload of " + payload.length + " bytes is over the " + maxPayloadBytes + "-byte limit"));
        }
        return Optional.empty();
    }

    /** Encodes an answer (e.g. pending commands) in the format the device asked for. */
    public byte[] encode(PayloadFormat format, JsonNode tree) {
        try {
            return switch (format) {
                case JSON -> json.writeValueAsBytes(tree);
                case CBOR -> cbor.writeValueAsBytes(tree);
                default -> throw new IllegalArgumentException("cannot encode a tree as " + format);
            };
        } catch (IOException e) {
            // Serializing an in-memory tree to a byte array has no I/O to fail.
            throw new IllegalStateException("could not encode " + format, e);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "parse error";
        }
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        return line.length() > 120 ? line.substring(0, 120) + "..." : line;
    }
}
