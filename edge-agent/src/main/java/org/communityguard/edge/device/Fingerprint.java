package org.communityguard.edge.device;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

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

    private static final ThreadLocal<Digest> DIGEST = ThreadLocal.withInitial(Digest::new);

    private Fingerprint() {
    }

    static long of(Reading r) {
        Digest d = DIGEST.get();
        d.reset();
        d.writeByte(r.kind().ordinal());
        d.text(r.type().wireName());
        d.writeLong(r.seq() == null ? -1 : r.seq());
        d.writeLong(r.deviceTs() == null ? -1 : r.deviceTs());
        value(d, r.type(), r.data());
        return d.digest();
    }

    private static void value(Digest out, DeviceType type, JsonNode node) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                out.writeByte('{');
                for (var fields = node.fields(); fields.hasNext(); ) {
                    var field = fields.next();
                    if (!PersonalFields.isPersonal(type, field.getKey())) {
                        out.text(field.getKey());
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
                out.text(node.asText());
            }
            case NUMBER -> {
                if (node.isIntegralNumber()) {
                    out.writeByte('i');
                    // The decimal digits; a long's are BigInteger's without making one.
                    out.text(node.canConvertToLong() ? Long.toString(node.longValue()) : node.bigIntegerValue().toString());
                } else {
                    // Through the decimal text: a float's shortest form, which is what the buffer's JSON keeps.
                    // A double's own text reads back as the very same double.
                    out.writeByte('d');
                    double value = node.isDouble() ? node.doubleValue() : Double.parseDouble(node.asText());
                    out.writeLong(Double.doubleToLongBits(value));
                }
            }
            case BOOLEAN -> out.writeByte(node.booleanValue() ? 'T' : 'F');
            default -> out.writeByte('n');
        }
    }

    /**
     * The digest's input, gathered in one array and digested in one call: fed a byte or an int at
     * a time through a DigestOutputStream, the bookkeeping cost more than SHA-256 itself
     * (deploy/bench.sh edge's profile). Big-endian, as DataOutputStream wrote it before.
     */
    private static final class Digest {

        private final MessageDigest sha256;
        private byte[] buf = new byte[512];
        private int len;

        Digest() {
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java runtime has SHA-256", e);
            }
        }

        void reset() {
            len = 0;
        }

        void writeByte(int b) {
            ensure(1);
            buf[len++] = (byte) b;
        }

        void writeInt(int v) {
            ensure(4);
            for (int shift = 24; shift >= 0; shift -= 8) {
                buf[len++] = (byte) (v >>> shift);
            }
        }

        void writeLong(long v) {
            ensure(8);
            for (int shift = 56; shift >= 0; shift -= 8) {
                buf[len++] = (byte) (v >>> shift);
            }
        }

        /** Length-prefixed UTF-8, so no two sequences of strings encode alike. */
        void text(String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            writeInt(bytes.length);
            ensure(bytes.length);
            System.arraycopy(bytes, 0, buf, len, bytes.length);
            len += bytes.length;
        }

        /** The first 64 bits of SHA-256 over what was written. */
        long digest() {
            sha256.reset();
            sha256.update(buf, 0, len);
            return ByteBuffer.wrap(sha256.digest()).getLong();
        }

        private void ensure(int more) {
            if (len + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
            }
        }
    }
}
