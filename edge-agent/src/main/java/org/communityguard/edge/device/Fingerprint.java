package org.communityguard.edge.device;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * What makes a reading the same message as another: its kind, type, {@code seq}, device time and
 * {@code data}, as a 64-bit digest (SHA-256, the JDK's, cut to 64 bits: a chance collision among
 * the few hundred readings a device has remembered is about 1 in 10^16).
 *
 * <p>It must come out the same for a message as it arrived and for the same reading read back
 * from the buffer after a restart, so it is taken on what survives the way there:
 * <ul>
 * <li>not the receive time or the flags (a copy arrives later, and the clock-skew flag depends on
 *     when it arrived);</li>
 * <li>not the fields {@link PersonalFields} names, which the buffer holds as pseudonyms: left out,
 *     names and values;</li>
 * <li>numbers by value, not by encoding: CBOR's half float 1.5 and JSON's 1.5 are the same, and a
 *     float keeps its shortest decimal form through the buffer's JSON;</li>
 * <li>CBOR byte strings as the base64 text the buffer's JSON writes for them.</li>
 * </ul>
 * Object fields are taken in their order, as a retransmission repeats them.
 */
final class Fingerprint {

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    });

    private Fingerprint() {
    }

    static long of(Reading r) {
        MessageDigest digest = SHA256.get();
        digest.reset();
        try (DataOutputStream out = new DataOutputStream(new DigestOutputStream(OutputStream.nullOutputStream(), digest))) {
            out.writeByte(r.kind().ordinal());
            text(out, r.type().wireName());
            out.writeLong(r.seq() == null ? -1 : r.seq());
            out.writeLong(r.deviceTs() == null ? -1 : r.deviceTs());
            value(out, r.type(), r.data());
        } catch (IOException e) {
            throw new UncheckedIOException("a digest stream does no I/O", e);
        }
        return ByteBuffer.wrap(digest.digest()).getLong();
    }

    private static void value(DataOutputStream out, DeviceType type, JsonNode node) throws IOException {
        switch (node.getNodeType()) {
            case OBJECT -> {
                out.writeByte('{');
                for (var fields = node.fields(); fields.hasNext(); ) {
                    var field = fields.next();
                    if (!PersonalFields.isPersonal(type, field.getKey())) {
                        text(out, field.getKey());
                        value(out, type, field.getValue());
                    }
                }
                out.writeByte('}');
            }
            case ARRAY -> {
                out.writeByte('[');
                for (JsonNode element : node) {
                    value(out, type, element);
                }
                out.writeByte(']');
            }
            case STRING, BINARY -> {
                out.writeByte('s');
                text(out, node.asText());
            }
            case NUMBER -> {
                if (node.isIntegralNumber()) {
                    out.writeByte('i');
                    text(out, node.bigIntegerValue().toString());
                } else {
                    // Through the decimal text: a float's shortest form, which is what the buffer's JSON keeps.
                    out.writeByte('d');
                    out.writeLong(Double.doubleToLongBits(Double.parseDouble(node.asText())));
                }
            }
            case BOOLEAN -> out.writeByte(node.booleanValue() ? 'T' : 'F');
            default -> out.writeByte('n');
        }
    }

    /** Length-prefixed UTF-8, so no two sequences of strings encode alike. */
    private static void text(DataOutputStream out, String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }
}
