package org.communityguard.hub.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The HTTP API over a real socket with a real client. */
@ExtendWith(RealServers.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiIT {

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private Hub hub;

    @BeforeAll
    void startHub(TimescaleDb timescale) throws Exception {
        hub = HubFixture.start(timescale.createDatabase(), Map.of());
    }

    @AfterAll
    void stopHub() {
        hub.close();
    }

    private HttpResponse<String> send(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.httpPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String error(HttpResponse<String> r) throws Exception {
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        return json.readTree(r.body()).path("error").asText();
    }

    private String login() throws Exception {
        HttpResponse<String> r = send("POST", "/api/auth/token",
                "{\"username\": \"admin\", \"password\": \"" + HubFixture.ADMIN_PASSWORD + "\"}", null);
        assertThat(r.statusCode()).isEqualTo(200);
        return json.readTree(r.body()).path("token").asText();
    }

    @Test
    void healthNeedsNoToken() throws Exception {
        HttpResponse<String> r = send("GET", "/api/health", null, null);

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json.readTree(r.body());
        assertThat(body.path("status").asText()).isEqualTo("ok");
        assertThat(body.path("readings_store").asText()).isEqualTo("timescaledb_hypertable");
    }

    @Test
    void tokenFlow() throws Exception {
        HttpResponse<String> wrong = send("POST", "/api/auth/token", "{\"username\": \"admin\", \"password\": \"nope-nope\"}", null);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(error(wrong)).isEqualTo("wrong user name or password");

        HttpResponse<String> anonymous = send("GET", "/api/incidents", null, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(error(anonymous)).contains("bearer token is required");

        HttpResponse<String> forged = send("GET", "/api/incidents", null, "forged-token");
        assertThat(forged.statusCode()).isEqualTo(401);

        HttpResponse<String> ok = send("GET", "/api/incidents", null, login());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(json.readTree(ok.body()).path("incidents").isArray()).isTrue();
    }

    @Test
    void badRequestsGetJsonErrors() throws Exception {
        assertThat(send("POST", "/api/auth/token", "{not json", null).statusCode()).isEqualTo(400);
        HttpResponse<String> missing = send("POST", "/api/auth/token", "{\"username\": \"admin\"}", null);
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(error(missing)).contains("'password' is required");

        HttpResponse<String> notFound = send("GET", "/api/nowhere", null, null);
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(error(notFound)).contains("/api/nowhere");

        HttpResponse<String> wrongMethod = send("DELETE", "/api/health", null, null);
        assertThat(wrongMethod.statusCode()).isEqualTo(405);

        HttpResponse<String> badLimit = send("GET", "/api/incidents?limit=0", null, login());
        assertThat(badLimit.statusCode()).isEqualTo(400);
        assertThat(error(badLimit)).contains("'limit'");
    }

    @Test
    void metricsArePrometheusText() throws Exception {
        HttpResponse<String> r = send("GET", "/metrics", null, null);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("hub_readings_stored_total", "hub_batches_duplicate_total",
                "hub_ingest_commit_seconds", "hub_ingest_queue_readings");
    }
}
