package org.communityguard.hub.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /api/openapi.json}: the API's OpenAPI 3 document. Kept as YAML in the jar
 * ({@code api/openapi.yaml}, readable in review), served as JSON; read once at start, so a
 * broken document stops the hub rather than a client.
 */
public final class OpenApi {

    private final byte[] document;

    public OpenApi() {
        try (InputStream in = OpenApi.class.getResourceAsStream("/api/openapi.yaml")) {
            if (in == null) {
                throw new IllegalStateException("api/openapi.yaml is missing from the hub's jar");
            }
            document = new ObjectMapper().writeValueAsBytes(new ObjectMapper(new YAMLFactory()).readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException("api/openapi.yaml is not valid YAML", e);
        }
    }

    public Response get(Request req) {
        return Response.json(200, document);
    }
}
