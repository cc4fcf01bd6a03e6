package org.communityguard.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.communityguard.hub.auth.Role;
import org.communityguard.hub.auth.Users;

/** The hub's HTTP API as a console would call it: a real client, a real token. */
public final class ApiClient {

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private final Hub hub;
    private final String token;

    private ApiClient(Hub hub, String token) {
        this.hub = hub;
        this.token = token;
    }

    /** The bearer token, for a client of its own (a raw socket). */
    public String token() {
        return token;
    }

    /** Signed in as the admin of {@link HubFixture}. */
    public static ApiClient admin(Hub hub) throws Exception {
        return as(hub, "admin", HubFixture.ADMIN_PASSWORD);
    }

    /** Creates (or resets) a user with this role and signs in as it. */
    public static ApiClient user(Hub hub, String username, Role role) throws Exception {
        new Users(hub.database().dataSource()).upsert(username, "password-of-" + username, role);
        return as(hub, username, "password-of-" + username);
    }

    private static ApiClient as(Hub hub, String username, String password) throws Exception {
        ApiClient anonymous = new ApiClient(hub, null);
        HttpResponse<String> r = anonymous.send("POST", "/api/auth/token",
                "{\"username\": \"" + username + "\", \"password\": \"" + password + "\"}");
        if (r.statusCode() != 200) {
            throw new AssertionError("sign-in as " + username + " answered " + r.statusCode() + ": " + r.body());
        }
        return new ApiClient(hub, anonymous.json.readTree(r.body()).path("token").asText());
    }

    public static ApiClient anonymous(Hub hub) {
        return new ApiClient(hub, null);
    }

    public HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.httpPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** GET, expecting 200. */
    public JsonNode get(String path) throws Exception {
        HttpResponse<String> r = send("GET", path, null);
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return json.readTree(r.body());
    }

    public JsonNode read(HttpResponse<String> r) throws Exception {
        return json.readTree(r.body());
    }
}
