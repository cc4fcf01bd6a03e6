package org.communityguard.hub.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The document the hub serves at {@code /api/openapi.json} is valid OpenAPI 3, as a real
 * validator (swagger-parser) reads it: no error and no warning. Which routes it lists is
 * checked against the running hub in OpenApiIT.
 */
class OpenApiTest {

    @Test
    void theServedDocumentValidatesWithoutAnyMessage() {
        String served = new String(new OpenApi().get(null).body(), StandardCharsets.UTF_8);
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setValidateInternalRefs(true);

        SwaggerParseResult result = new OpenAPIParser().readContents(served, null, options);

        assertThat(result.getMessages()).as("swagger-parser's errors and warnings").isEmpty();
        assertThat(result.getOpenAPI().getPaths()).isNotEmpty();
    }
}
