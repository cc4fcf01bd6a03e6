package org.communityguard.edge.device;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PayloadCodecTest {

    private final PayloadCodec codec = new PayloadCodec(1024);

    /**
     * {"v":1,"type":"manhole","seq":7,"data":{"cover_open":true,"tilt_deg":1.5}} in CBOR (RFC 8949),
     * written out by hand so the test does not trust the encoder it tests.
     */
    private static final byte[] MANHOLE_CBOR = bytes(
            0xA4,                                                   // map, 4 pairs
            0x61, 'v',                                              //   text(1) "v"
            0x01,                                                   //   unsigned 1
            0x64, 't', 'y', 'p', 'e',                               //   text(4) "type"
            0x67, 'm', 'a', 'n', 'h', 'o', 'l', 'e',                //   text(7) "manhole"
            0x63, 's', 'e', 'q',                                    //   text(3) "seq"
            0x07,                                                   //   unsigned 7
            0x64, 'd', 'a', 't', 'a',                               //   text(4) "data"
            0xA2,                                                   //   map, 2 pairs
            0x6A, 'c', 'o', 'v', 'e', 'r', '_', 'o', 'p', 'e', 'n', //     text(10) "cover_open"
            0xF5,                                                   //     true
            0x68, 't', 'i', 'l', 't', '_', 'd', 'e', 'g',           //     text(8) "tilt_deg"
            0xF9, 0x3E, 0x00);                                      //     half float 1.5

    private static final String MANHOLE_JSON =
            "{\"v\":1,\"type\":\"manhole\",\"seq\":7,\"data\":{\"cover_open\":true,\"tilt_deg\":1.5}}";

    @Test
    void cborAndJsonOfTheSameMessageDecodeToTheSameTree() {
        Checked<ObjectNode> fromCbor = codec.decode(PayloadFormat.CBOR, MANHOLE_CBOR);
        Checked<ObjectNode> fromJson = codec.decode(PayloadFormat.JSON, utf8(MANHOLE_JSON));

        assertThat(fromCbor.isOk()).isTrue();
        assertThat(fromJson.isOk()).isTrue();
        // Compared as JSON text: CBOR's half float becomes a FloatNode, JSON's 1.5 a DoubleNode;
        // same value, same JSON on the uplink.
        assertThat(fromCbor.value().toString()).isEqualTo(fromJson.value().toString());
        assertThat(fromCbor.value().path("data").path("tilt_deg").doubleValue()).isEqualTo(1.5);
    }

    @Test
    void cborThatValidatesLikeItsJson() {
        ReadingValidator validator = new ReadingValidator(Provisioning.none());
        Reading reading = validator.validate("manhole-07", Kind.TELEMETRY, codec.decode(PayloadFormat.CBOR, MANHOLE_CBOR).value(), 1_000L).value();

        assertThat(reading.type()).isEqualTo(DeviceType.MANHOLE);
        assertThat(reading.seq()).isEqualTo(7L);
        assertThat(reading.data().path("cover_open").booleanValue()).isTrue();
    }

    @Test
    void encodeThenDecodeIsTheIdentityInBothFormats() throws Exception {
        JsonNode tree = new ObjectMapper().readTree("[{\"cmd\":\"siren\",\"on\":true,\"id\":\"a-1\"}]");
        for (PayloadFormat format : new PayloadFormat[] {PayloadFormat.JSON, PayloadFormat.CBOR}) {
            byte[] wrapped = codec.encode(format, new ObjectMapper().createObjectNode().set("list", tree));
            assertThat(codec.decode(format, wrapped).value().get("list")).isEqualTo(tree);
        }
    }

    @Test
    void payloadAtTheLimitIsDecodedAndOneByteMoreIsTooLarge() {
        byte[] atLimit = paddedObject(1024);
        byte[] overLimit = paddedObject(1025);

        assertThat(codec.decode(PayloadFormat.JSON, atLimit).isOk()).isTrue();
        Checked<ObjectNode> tooLarge = codec.decode(PayloadFormat.JSON, overLimit);
        assertThat(tooLarge.rejection().reason()).isEqualTo(RejectReason.TOO_LARGE);
        assertThat(tooLarge.rejection().detail()).contains("1025").contains("1024");
    }

    @Test
    void limitIsAConstructorArgument() {
        PayloadCodec small = new PayloadCodec(16);
        assertThat(small.decode(PayloadFormat.JSON, utf8("{\"a\":\"0123456789\"}")).rejection().reason()).isEqualTo(RejectReason.TOO_LARGE);
        assertThat(small.decode(PayloadFormat.JSON, utf8("{\"a\":1}")).isOk()).isTrue();
    }

    @Test
    void formatsOtherThanJsonAndCborAreUnsupported() {
        assertThat(codec.decode(PayloadFormat.TEXT, utf8(MANHOLE_JSON)).rejection().reason()).isEqualTo(RejectReason.UNSUPPORTED_FORMAT);
        assertThat(codec.decode(PayloadFormat.UNSUPPORTED, utf8(MANHOLE_JSON)).rejection().reason()).isEqualTo(RejectReason.UNSUPPORTED_FORMAT);
        assertThat(PayloadFormat.fromContentFormat(-1)).isEqualTo(PayloadFormat.UNSUPPORTED);
        assertThat(PayloadFormat.fromContentFormat(42)).isEqualTo(PayloadFormat.UNSUPPORTED);
        assertThat(PayloadFormat.fromContentFormat(50)).isEqualTo(PayloadFormat.JSON);
        assertThat(PayloadFormat.fromContentFormat(60)).isEqualTo(PayloadFormat.CBOR);
    }

    @Test
    void brokenPayloadsAreMalformedNotExceptions() {
        String[] broken = {
                "",                              // nothing
                "{",                             // truncated
                "{\"v\":1,}",                    // trailing comma
                "{\"v\":1} {\"v\":1}",           // two documents
                "{\"v\":1} x",                   // trailing garbage
                "{\"v\":1,\"v\":2}",             // duplicate key: ambiguous
                "[1,2]",                         // not an object
                "42",                            // not an object
                "\"text\"",                      // not an object
                "null",                          // not an object
                "\u00ff\u00fe",                  // not UTF-8 JSON
        };
        for (String payload : broken) {
            Checked<ObjectNode> result = codec.decode(PayloadFormat.JSON, payload.getBytes(StandardCharsets.ISO_8859_1));
            assertThat(result.isOk()).as(payload).isFalse();
            assertThat(result.rejection().reason()).as(payload).isEqualTo(RejectReason.MALFORMED);
        }
    }

    /** A parse error says where, not what: the token it stumbled on may be a card number. */
    @Test
    void malformedDetailsDoNotRepeatThePayload() {
        String[] broken = {
                "{\"v\":1,\"data\":{\"subject\":CARD9876543210}}",   // unquoted: "Unrecognized token 'CARD9876543210'"
                "{\"v\":1,\"data\":{\"subject\":\"9876543210}}",     // unterminated string
                "{\"v\":1,\"data\":{\"subject\":09876543210}}",      // leading zero
        };
        for (String payload : broken) {
            Rejection rejection = codec.decode(PayloadFormat.JSON, utf8(payload)).rejection();
            assertThat(rejection.reason()).as(payload).isEqualTo(RejectReason.MALFORMED);
            assertThat(rejection.detail()).as(payload).startsWith("not valid json at line 1, column ").doesNotContain("987654321");
        }
        assertThat(codec.decode(PayloadFormat.JSON, utf8("{\"v\":1,\"v\":2}")).rejection().detail())
                .isEqualTo("not valid json at line 1, column 11: duplicate key");
    }

    @Test
    void brokenCborIsMalformed() {
        byte[][] broken = {
                Arrays.copyOf(MANHOLE_CBOR, MANHOLE_CBOR.length - 3), // cut inside the last value
                bytes(0x82, 0x01, 0x02),                                 // array [1, 2], not a map
                bytes(0xA1, 0x61, 'v'),                                  // map whose value is missing
                bytes(0xFF),                                             // a lone "break"
                bytes(0xA1, 0x61, 'v', 0x01, 0x00),                      // {"v":1} and a trailing byte
                bytes(0xA1, 0x7B, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 'a'), // key "claiming" 2^63-1 bytes
                bytes(0xBB, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF),        // map "claiming" 2^63-1 pairs
        };
        for (byte[] payload : broken) {
            assertThat(codec.decode(PayloadFormat.CBOR, payload).rejection().reason())
                    .as(Arrays.toString(payload)).isEqualTo(RejectReason.MALFORMED);
        }
    }

    /**
     * Text PostgreSQL's jsonb cannot hold (U+0000, a surrogate without its pair) and numbers no JSON
     * can carry (NaN, infinities) are refused here, so they never reach the buffer or the hub.
     */
    @Test
    void unstorableTextInJsonIsBadText() {
        String[] bad = {
                "{\"v\":1,\"data\":{\"code\":\"E\\u0000\"}}",          // NUL in a string
                "{\"v\":1,\"data\":{\"co\\u0000de\":\"E1\"}}",         // NUL in a key
                "{\"v\":1,\"data\":{\"code\":\"\\ud800\"}}",           // high surrogate alone
                "{\"v\":1,\"data\":{\"code\":\"x\\udc00y\"}}",         // low surrogate alone
                "{\"v\":1,\"data\":{\"list\":[\"ok\",\"\\ude00\\ud83d\"]}}", // pair in the wrong order, in an array
        };
        for (String payload : bad) {
            Checked<ObjectNode> result = codec.decode(PayloadFormat.JSON, utf8(payload));
            assertThat(result.isOk()).as(payload).isFalse();
            assertThat(result.rejection().reason().wireName()).as(payload).isEqualTo("bad_text");
        }
        Checked<ObjectNode> nul = codec.decode(PayloadFormat.JSON, utf8("{\"v\":1,\"data\":{\"code\":\"SECRET\\u0000\"}}"));
        assertThat(nul.rejection().detail()).as("says where, not what").contains("data.code").doesNotContain("SECRET");
        // A surrogate pair is one character (U+1F600) and fine.
        assertThat(codec.decode(PayloadFormat.JSON, utf8("{\"v\":1,\"data\":{\"code\":\"\\ud83d\\ude00\"}}")).isOk()).isTrue();
    }

    @Test
    void aJsonNumberTooLargeForADoubleIsBadNumber() {
        // Valid JSON; Jackson reads it as Infinity, which the uplink could not write as JSON.
        Checked<ObjectNode> result = codec.decode(PayloadFormat.JSON, utf8("{\"v\":1,\"data\":{\"power_w\":1e400}}"));
        assertThat(result.isOk()).isFalse();
        assertThat(result.rejection().reason().wireName()).isEqualTo("bad_number");
        assertThat(result.rejection().detail()).contains("data.power_w");
    }

    @Test
    void unstorableTextAndNumbersInCborAreRefused() {
        byte[] nulInText = bytes(
                0xA1,                                                   // map, 1 pair
                0x64, 'c', 'o', 'd', 'e',                               //   text(4) "code"
                0x62, 'E', 0x00);                                       //   text(2) "E\0"
        byte[] nulInKey = bytes(
                0xA1,                                                   // map, 1 pair
                0x62, 'c', 0x00,                                        //   text(2) "c\0"
                0x01);                                                  //   unsigned 1
        byte[] surrogate = bytes(
                0xA1,                                                   // map, 1 pair
                0x64, 'c', 'o', 'd', 'e',                               //   text(4) "code"
                0x63, 0xED, 0xA0, 0x80);                                //   text(3): U+D800 as (invalid) UTF-8
        byte[] nan = bytes(
                0xA1,                                                   // map, 1 pair
                0x65, 'p', 'o', 'w', 'e', 'r',                          //   text(5) "power"
                0xF9, 0x7E, 0x00);                                      //   half float NaN
        byte[] infinity = bytes(
                0xA1,                                                   // map, 1 pair
                0x65, 'p', 'o', 'w', 'e', 'r',                          //   text(5) "power"
                0xFA, 0xFF, 0x80, 0x00, 0x00);                          //   single float -Infinity
        assertThat(rejected(codec.decode(PayloadFormat.CBOR, nulInText))).isEqualTo("bad_text");
        assertThat(rejected(codec.decode(PayloadFormat.CBOR, nulInKey))).isEqualTo("bad_text");
        assertThat(rejected(codec.decode(PayloadFormat.CBOR, surrogate))).isEqualTo("bad_text");
        assertThat(rejected(codec.decode(PayloadFormat.CBOR, nan))).isEqualTo("bad_number");
        assertThat(rejected(codec.decode(PayloadFormat.CBOR, infinity))).isEqualTo("bad_number");
    }

    /**
     * Found by DeviceCborFuzzTest: CBOR's decimal fraction (tag 4) reads as a BigDecimal, which no
     * double holds, and the uplink writes it as {@code 1E+400}: the hub reads infinity and refuses
     * the reading ({@code not_finite}) after the device was acknowledged.
     */
    @Test
    void aCborDecimalBeyondADoubleIsBadNumber() {
        byte[] decimal = bytes(
                0xA1,                                                   // map, 1 pair
                0x63, 'b', 'i', 'g',                                    //   text(3) "big"
                0xC4,                                                   //   tag 4: decimal fraction
                0x82,                                                   //   array(2): [exponent, mantissa]
                0x19, 0x01, 0x90,                                       //     unsigned 400
                0x01);                                                  //     unsigned 1: 1e400
        assertThat(rejected(codec.decode(PayloadFormat.CBOR, decimal))).isEqualTo("bad_number");
    }

    /**
     * Found by DeviceJsonFuzzTest and DeviceCborFuzzTest: the hub stores {@code data} nested at most
     * 32 levels deep (docs/uplink.md, {@code too_deep}); a deeper message was acknowledged here and
     * refused there.
     */
    @Test
    void aMessageNestedDeeperThanTheHubStoresIsTooDeep() {
        String deep = "[".repeat(31) + "1" + "]".repeat(31);     // data.x at level 2: 32 levels in all
        String deeper = "[".repeat(32) + "1" + "]".repeat(32);
        assertThat(codec.decode(PayloadFormat.JSON, utf8("{\"data\":{\"x\":" + deep + "}}")).isOk()).isTrue();
        assertThat(rejected(codec.decode(PayloadFormat.JSON, utf8("{\"data\":{\"x\":" + deeper + "}}")))).isEqualTo("too_deep");
        byte[] cbor = new byte[40];
        cbor[0] = (byte) 0xA1;                                          // map, 1 pair
        cbor[1] = 0x61;                                                 //   text(1)
        cbor[2] = 'x';                                                  //   "x"
        Arrays.fill(cbor, 3, 39, (byte) 0x81);                          //   36 arrays of one element
        cbor[39] = 0x01;                                                //   unsigned 1
        assertThat(rejected(codec.decode(PayloadFormat.CBOR, cbor))).isEqualTo("too_deep");
    }

    private static String rejected(Checked<ObjectNode> result) {
        assertThat(result.isOk()).as("refused").isFalse();
        return result.rejection().reason().wireName();
    }

    @Test
    void nullPayloadIsMalformed() {
        assertThat(codec.decode(PayloadFormat.JSON, null).rejection().reason()).isEqualTo(RejectReason.MALFORMED);
    }

    /** {"p":"xxx..."} of exactly {@code size} bytes. */
    private static byte[] paddedObject(int size) {
        String padding = "x".repeat(size - "{\"p\":\"\"}".length());
        byte[] bytes = utf8("{\"p\":\"" + padding + "\"}");
        assertThat(bytes).hasSize(size);
        return bytes;
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }
}
