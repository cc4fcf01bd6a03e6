package org.communityguard.hub.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.hub.auth.Scope;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The OpenAPI document the hub serves lists exactly the routes it registers (so neither can drift
 * from the other), and the API explorer at {@code /api/docs/} shows it, from the hub's own jar.
 * That the document is valid OpenAPI is OpenApiTest's.
 */
@ExtendWith(RealServers.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiIT {

    private static final Set<String> OPERATIONS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private Hub hub;
    private JsonNode document;

    @BeforeAll
    void startHub(TimescaleDb timescale) throws Exception {
        hub = HubFixture.start(timescale.createDatabase(), Map.of());
        HttpResponse<String> served = get("/api/openapi.json");
        assertThat(served.statusCode()).isEqualTo(200);
        document = json.readTree(served.body());
    }

    @AfterAll
    void stopHub() {
        hub.close();
    }

    @Test
    void everyRegisteredRouteIsDocumentedWithTheScopesThatOpenIt() {
        for (Route r : hub.routes()) {
            JsonNode operation = document.path("paths").path(r.pattern()).path(r.method().name().toLowerCase());
            assertThat(operation.isObject()).as(r.method() + " " + r.pattern() + " is in api/openapi.yaml").isTrue();
            // Which API keys may call it (docs/data-sharing.md): x-scopes lists exactly the route's scopes.
            if (!r.isPublic()) {
                List<String> documented = new ArrayList<>();
                operation.path("x-scopes").forEach(s -> documented.add(s.asText()));
                assertThat(documented).as("x-scopes of " + r.method() + " " + r.pattern())
                        .containsExactlyInAnyOrderElementsOf(r.scopes().stream().map(Scope::wireName).toList());
            }
        }
    }

    @Test
    void everyDocumentedOperationIsARegisteredRoute() {
        List<String> registered = hub.routes().stream().map(r -> r.method().name() + " " + r.pattern()).toList();
        List<String> documented = new ArrayList<>();
        document.path("paths").fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(key -> {
            if (OPERATIONS.contains(key)) {
                documented.add(key.toUpperCase() + " " + path.getKey());
            }
        }));
        assertThat(documented).as("operations in api/openapi.yaml").isNotEmpty();
        assertThat(registered).as("routes in ApiRoutes").containsAll(documented);
    }

    @Test
    void theApiExplorerShowsTheServedDocumentFromTheHubsOwnFiles() throws Exception {
        HttpResponse<String> page = get("/api/docs/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        assertThat(page.body()).contains("swagger-ui-bundle.js", "swagger-initializer.js");

        HttpResponse<String> bundle = get("/api/docs/swagger-ui-bundle.js");
        assertThat(bundle.statusCode()).isEqualTo(200);
        assertThat(bundle.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/javascript"));
        assertThat(bundle.body()).contains("SwaggerUIBundle");
        assertThat(get("/api/docs/swagger-ui.css").statusCode()).isEqualTo(200);

        HttpResponse<String> initializer = get("/api/docs/swagger-initializer.js");
        assertThat(initializer.statusCode()).isEqualTo(200);
        assertThat(initializer.body()).contains("\"/api/openapi.json\"").doesNotContain("petstore");

        HttpResponse<String> withoutSlash = get("/api/docs");
        assertThat(withoutSlash.statusCode()).as("relative file names need the slash").isEqualTo(308);
        assertThat(withoutSlash.headers().firstValue("Location")).hasValue("/api/docs/");
        assertThat(get("/api/docs/..%2Fpom.properties").statusCode()).isEqualTo(404);
        assertThat(get("/api/docs/nothing.js").statusCode()).isEqualTo(404);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.httpPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
