package org.communityguard.hub.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.communityguard.hub.Hub;
import org.junit.jupiter.api.Test;

class RequestTest {

    private static Request post(String body) {
        return new Request(HttpMethod.POST, "/api/x", Map.of(), Map.of(), new DefaultHttpHeaders(),
                body.getBytes(StandardCharsets.UTF_8), null, Hub.jsonMapper(), null, null);
    }

    @Test
    void aBodyIsOneJsonObject() {
        assertThat(post("{\"text\": \"a\", \"count\": 3}").jsonBody().path("count").asInt()).isEqualTo(3);
        assertThatThrownBy(() -> post("[1]").jsonBody()).isInstanceOf(HttpError.class).hasMessage("the body must be a JSON object");
    }

    /**
     * Found by HttpJsonBodyFuzzTest: what followed the object was ignored ({@code {"rating":5}{"rating":1}}
     * read as 5), and a key given twice was read as its last value, where another reader takes the first.
     */
    @Test
    void bytesAfterTheObjectOrAKeyTwiceAre400() {
        for (String body : new String[] {"{\"count\": 5}{\"count\": 1}", "{\"count\": 5} x", "{\"count\": 5, \"count\": 1}"}) {
            assertThatThrownBy(() -> post(body).jsonBody()).as(body).isInstanceOf(HttpError.class)
                    .satisfies(e -> assertThat(((HttpError) e).status()).isEqualTo(400));
        }
    }

    /**
     * Found by HttpJsonBodyFuzzTest: U+0000 and a lone surrogate are valid JSON escapes the
     * database cannot store; they reached it, and its error came back as a 500.
     */
    @Test
    void textTheDatabaseCannotStoreIs400() {
        for (String body : new String[] {"{\"text\": \"a\\u0000b\"}", "{\"text\": \"a\\ud800b\"}", "{\"x\\u0000\": 1}",
                "{\"x\": {\"y\": [\"\\udc00\"]}}"}) {
            assertThatThrownBy(() -> post(body).jsonBody()).as(body).isInstanceOf(HttpError.class)
                    .hasMessageContaining("cannot be stored")
                    .satisfies(e -> assertThat(((HttpError) e).status()).isEqualTo(400));
        }
    }

    /**
     * Found by HttpJsonBodyFuzzTest: a note of control characters is not blank (they are no white
     * space) but trims to nothing, and came back as an empty string where an absent note is null.
     */
    @Test
    void anOptionalTextThatTrimsToNothingIsAbsent() {
        com.fasterxml.jackson.databind.JsonNode body = post("{\"note\": \"\\u0001 \\u0007\"}").jsonBody();
        assertThat(Fields.optionalText(body, "note", 50)).isNull();
    }
}
