package org.communityguard.hub.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.communityguard.hub.Hub;
import org.communityguard.testkit.fuzz.Choices;
import org.communityguard.testkit.fuzz.Fuzzing;
import org.communityguard.testkit.fuzz.Mutations;
import org.junit.jupiter.api.Test;

/**
 * HTTP JSON bodies as every handler reads them ({@link Request#jsonBody}, {@link Fields}) under
 * generated input, {@value Fuzzing#SHORT_TRIES} tries ({@link HttpJsonBodyFuzzer} runs the same
 * property in deploy/bench.sh fuzz). Inputs are a valid body (a text, a whole number, an optional
 * note), as it is, with unknown fields, or with one mutation: a field of another type, a number
 * out of range or beyond any, text too long or holding U+0000 or a lone surrogate, a key twice,
 * bytes after the object, deep nesting, not an object, other encodings, bytes flipped or cut.
 *
 * <p>What must hold: reading a body or a field gives a value or a 400 {@link HttpError} with a
 * message, nothing else; a valid body (unknown fields or not) gives its values; a body read is one
 * JSON object and nothing more, every key once, with text the database stores; a field read is
 * within its limits.
 */
class HttpJsonBodyFuzzTest {

    static final String DECODER = "http_json_body";
    static final Fuzzing.Property PROPERTY = HttpJsonBodyFuzzTest::check;

    private static final ObjectMapper JSON = Hub.jsonMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int MAX_TEXT = 40;
    private static final String MARK = "QQQZZZ";

    private enum Mutation {
        NONE, UNKNOWN_FIELDS, TYPE_SWAP, HUGE_NUMBER, TOO_LONG, BAD_TEXT, DUPLICATE_KEY, TRAILING, DEEP, NOT_OBJECT, EMPTY,
        UTF16, LATIN1, BYTE_FLIPS, TRUNCATE, RANDOM_BYTES
    }

    @Test
    void bodiesGiveTheirValuesOrA400WithAMessage() {
        Fuzzing.run(DECODER, PROPERTY);
    }

    static Fuzzing.Verdict check(Choices in) throws Exception {
        String text = Mutations.storable(in.text(MAX_TEXT));
        if (text.isEmpty()) {
            text = "x";
        }
        int count = in.between(0, 100);
        String note = in.flip() ? Mutations.storable(in.text(50)) : null;
        ObjectNode body = NODES.objectNode().put("text", text).put("count", count);
        if (note != null) {
            body.put("note", note);
        }
        Mutation mutation = in.pick(List.of(Mutation.values()));
        boolean mustRefuse = false;
        switch (mutation) {
            case UNKNOWN_FIELDS -> body.put("x_" + in.between(0, 99), Mutations.storable(in.text(10))).putObject("x_more").put("a", 1);
            case TYPE_SWAP -> {
                boolean swapText = in.flip();
                body.set(swapText ? "text" : "count", Choices.pickFrom(in, NODES.booleanNode(true), NODES.arrayNode(),
                        NODES.objectNode(), swapText ? NODES.numberNode(3) : NODES.textNode("3")));
                mustRefuse = true;
            }
            case HUGE_NUMBER -> {
                body.set("count", Choices.pickFrom(in, NODES.numberNode(new BigInteger("18446744073709551617")),
                        NODES.numberNode(new BigDecimal("1e400")), NODES.numberNode(4_294_967_296L + 5), NODES.numberNode(50.5),
                        NODES.numberNode(-1), NODES.numberNode(101)));
                mustRefuse = true;
            }
            case TOO_LONG -> {
                body.put("text", "t".repeat(MAX_TEXT + in.between(1, 1000)));
                mustRefuse = true;
            }
            case BAD_TEXT -> {
                if (in.flip()) {
                    body.put("text", "a" + MARK);
                } else {
                    body.put("x_" + MARK, 1);
                }
                mustRefuse = true;
            }
            case DEEP -> body.put("x_deep", MARK);
            default -> {
            }
        }
        byte[] bytes = JSON.writeValueAsBytes(body);
        if (mutation == Mutation.DEEP) {
            // Written as text: past 1,000 levels Jackson writes no more than it reads.
            int depth = in.between(1, 1200);
            bytes = new String(bytes, StandardCharsets.UTF_8).replace("\"" + MARK + "\"", "[".repeat(depth) + "1" + "]".repeat(depth))
                    .getBytes(StandardCharsets.UTF_8);
        }
        switch (mutation) {
            case BAD_TEXT -> bytes = new String(bytes, StandardCharsets.UTF_8).replace(MARK, in.flip() ? "\\u0000" : "\\ud800")
                    .getBytes(StandardCharsets.UTF_8);
            case DUPLICATE_KEY -> {
                bytes = new String(bytes, StandardCharsets.UTF_8).replaceFirst("\\{", "{\"count\":" + in.between(0, 100) + ",")
                        .getBytes(StandardCharsets.UTF_8);
                mustRefuse = true;
            }
            case TRAILING -> {
                bytes = (new String(bytes, StandardCharsets.UTF_8) + Choices.pickFrom(in, "x", "{}", "{\"text\":\"b\"}", "]", "0"))
                        .getBytes(StandardCharsets.UTF_8);
                mustRefuse = true;
            }
            case NOT_OBJECT -> {
                bytes = Choices.pickFrom(in, "[]", "\"text\"", "1", "null", "true", "[{\"text\":\"a\"}]").getBytes(StandardCharsets.UTF_8);
                mustRefuse = true;
            }
            case EMPTY -> {
                bytes = new byte[0];
                mustRefuse = true;
            }
            case UTF16 -> bytes = new String(bytes, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_16);
            case LATIN1 -> bytes = new String(bytes, StandardCharsets.UTF_8).getBytes(StandardCharsets.ISO_8859_1);
            case BYTE_FLIPS -> bytes = Mutations.flipBytes(in, bytes);
            case TRUNCATE -> bytes = Mutations.truncate(in, bytes);
            case RANDOM_BYTES -> bytes = in.bytes(200);
            default -> {
            }
        }

        Request req = new Request(HttpMethod.POST, "/api/x", Map.of(), Map.of(), new DefaultHttpHeaders(), bytes, null, JSON,
                null, null);
        String gotText;
        Integer gotCount;
        String gotNote;
        try {
            JsonNode read = req.jsonBody();
            assertThat(read.isObject()).isTrue();
            assertStorable(read);
            gotText = req.requiredText(read, "text", MAX_TEXT);
            gotCount = Fields.integer(read, "count", 0, 100, true);
            gotNote = Fields.optionalText(read, "note", 50);
        } catch (HttpError e) {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.getMessage()).isNotBlank();
            assertThat(mutation).as("a valid body was refused: %s", e.getMessage()).isNotIn(Mutation.NONE, Mutation.UNKNOWN_FIELDS);
            return Fuzzing.refused(e.getMessage().replaceAll("'[^']*'", "'.'").replaceAll("[0-9]+", "N"));
        }
        assertThat(mustRefuse).as("%s was read: %s", mutation, new String(bytes, StandardCharsets.UTF_8)).isFalse();
        assertThat(gotText).isNotEmpty().hasSizeLessThanOrEqualTo(MAX_TEXT);
        assertThat(gotCount).isBetween(0, 100);
        if (gotNote != null) {
            assertThat(gotNote).hasSizeLessThanOrEqualTo(50).isEqualTo(gotNote.trim()).isNotEmpty();
        }
        if (mutation == Mutation.NONE || mutation == Mutation.UNKNOWN_FIELDS) {
            assertThat(gotText).isEqualTo(text);
            assertThat(gotCount).isEqualTo(count);
            assertThat(gotNote).isEqualTo(note == null || note.trim().isEmpty() ? null : note.trim());
        }
        return Fuzzing.accepted();
    }

    private static void assertStorable(JsonNode node) {
        if (node.isContainerNode()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                assertThat(Mutations.storable(f.getKey())).as("a key the database stores").isEqualTo(f.getKey());
                assertStorable(f.getValue());
            }
            for (int i = 0; node.isArray() && i < node.size(); i++) {
                assertStorable(node.get(i));
            }
        } else if (node.isTextual()) {
            assertThat(Mutations.storable(node.textValue())).as("text the database stores").isEqualTo(node.textValue());
        }
    }

}
