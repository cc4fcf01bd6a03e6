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
 *
 * <p>A well-formed payload is refused too when it holds what cannot travel on: a string or key
 * with U+0000 or a surrogate without its pair ({@code bad_text}: valid JSON, but PostgreSQL's
 * {@code jsonb} refuses U+0000 and a lone surrogate is no Unicode text, so one such reading would
 * stop every batch behind it at the hub), or a number that is NaN or infinite ({@code bad_number}:
 * CBOR can carry them, and JSON's {@code 1e400} reads as infinity, but the uplink's JSON cannot).
 * The detail says where, never what: the value may be a card number.
 */
public final class PayloadCodec {

    /** The device profile's limit for one CoAP payload; used for MQTT too. */
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1024;
    /**
     * Objects and arrays inside the message, the message itself not counted: {@code data} is one,
     * so this is the hub's limit for {@code data} (docs/uplink.md, {@code too_deep}).
     */
    public static final int MAX_DEPTH = 32;

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
            return Checked.rejected(RejectReason.MALFORMED, parseError(format, e));
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
        Rejection unstorable = unstorable(tree, "", 0);
        if (unstorable != null) {
            return Checked.rejected(unstorable);
        }
        return Checked.ok((ObjectNode) tree);
    }

    /** The first key, string, number or nesting of the tree that cannot travel on, or null; depth-first, in document order. */
    private static Rejection unstorable(JsonNode node, String path, int depth) {
        if (node.isContainerNode() && depth > MAX_DEPTH) {
            return Rejection.of(RejectReason.TOO_DEEP, path + " is nested more than " + MAX_DEPTH + " levels deep");
        }
        if (node.isObject()) {
            for (var fields = node.fields(); fields.hasNext(); ) {
                var field = fields.next();
                String problem = textProblem(field.getKey());
                if (problem != null) {
                    return Rejection.of(RejectReason.BAD_TEXT, "a key " + (path.isEmpty() ? "at the top level" : "of " + path) + problem);
                }
                Rejection inside = unstorable(field.getValue(), child(path, field.getKey()), depth + 1);
                if (inside != null) {
                    return inside;
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                Rejection inside = unstorable(node.get(i), path + "[" + i + "]", depth + 1);
                if (inside != null) {
                    return inside;
                }
            }
        } else if (node.isTextual()) {
            String problem = textProblem(node.textValue());
            if (problem != null) {
                return Rejection.of(RejectReason.BAD_TEXT, path + problem);
            }
        } else if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
            return Rejection.of(RejectReason.BAD_NUMBER, path + " is " + (Double.isNaN(node.doubleValue()) ? "NaN" : "infinite"));
        }
        return null;
    }

    /** Why this text cannot be stored, as the end of a sentence, or null when it can. */
    private static String textProblem(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0) {
                return " holds U+0000";
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return " holds an unpaired surrogate (U+" + Integer.toHexString(c).toUpperCase() + ")";
            }
        }
        return null;
    }

    /** {@code data.code}: a key as a diagnostic may show it (printable, cut short). */
    private static String child(String path, String key) {
        String shown = DeviceIds.printable(key.length() > 24 ? key.substring(0, 24) + "..." : key);
        return path.isEmpty() ? shown : path + "." + shown;
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

    /**
     * Where parsing stopped, not Jackson's message: that quotes the token it stumbled on
     * ({@code Unrecognized token 'CARD9876543210'}), which may be a card number, and this detail
     * goes back to the device and into the log. The sender has its payload; the position finds it.
     */
    private static String parseError(PayloadFormat format, JacksonException e) {
        StringBuilder detail = new StringBuilder("not valid ").append(format.name().toLowerCase());
        var at = e.getLocation();
        if (at != null && format == PayloadFormat.JSON && at.getLineNr() > 0) {
            detail.append(" at line ").append(at.getLineNr()).append(", column ").append(at.getColumnNr());
        } else if (at != null && at.getByteOffset() >= 0) {
            detail.append(" at byte ").append(at.getByteOffset());
        }
        String message = e.getOriginalMessage();
        if (message != null && message.startsWith("Duplicate field")) {
            detail.append(": duplicate key");
        } else if (message != null && message.startsWith("Unexpected end-of-input")) {
            detail.append(": it ends too early");
        }
        return detail.toString();
    }
}
