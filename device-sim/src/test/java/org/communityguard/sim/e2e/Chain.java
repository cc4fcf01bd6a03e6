package org.communityguard.sim.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.communityguard.edge.EdgeAgent;
import org.communityguard.edge.config.EdgeSettings;
import org.communityguard.hub.Hub;
import org.communityguard.hub.config.HubSettings;
import org.communityguard.testkit.Database;
import org.communityguard.testkit.Mosquitto;

/**
 * The whole chain, as deploy/demo.sh runs it but on real servers: a hub on TimescaleDB, an edge
 * agent on Mosquitto, both on free ports, configured only through their documented settings.
 */
final class Chain implements AutoCloseable {

    static final Path SITE = Path.of("..", "deploy", "demo", "site.yaml");
    static final String GATEWAY = "gw-sunny-1";
    private static final String SECRET = "e2e-gateway-secret-0123";
    static final String ADMIN_PASSWORD = "e2e-admin-password";

    final Hub hub;
    final EdgeAgent edge;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    Chain(Database db, Mosquitto mosquitto) throws SQLException {
        this(db, mosquitto, Map.of());
    }

    /** @param hubSettings extra hub settings ({@code HUB_...}), e.g. a shorter liveness interval */
    Chain(Database db, Mosquitto mosquitto, Map<String, String> hubSettings) throws SQLException {
        Map<String, String> hubEnv = new HashMap<>();
        hubEnv.put("HUB_DB_URL", db.jdbcUrl());
        hubEnv.put("HUB_DB_USER", db.user());
        hubEnv.put("HUB_DB_PASSWORD", db.password());
        hubEnv.put("HUB_HTTP_HOST", "127.0.0.1");
        hubEnv.put("HUB_HTTP_PORT", "0");
        hubEnv.put("HUB_UPLINK_HOST", "127.0.0.1");
        hubEnv.put("HUB_UPLINK_PORT", "0");
        hubEnv.put("HUB_UPLINK_GATEWAYS", GATEWAY + ":" + SECRET);
        hubEnv.put("HUB_ADMIN_PASSWORD", ADMIN_PASSWORD);
        hubEnv.put("HUB_SITE_FILE", SITE.toString());
        hubEnv.putAll(hubSettings);
        hub = Hub.start(org.communityguard.hub.config.Config.load(HubSettings.ALL, null, hubEnv));

        Map<String, String> edgeEnv = new HashMap<>();
        edgeEnv.put("EDGE_GATEWAY_ID", GATEWAY);
        edgeEnv.put("EDGE_SITE_FILE", SITE.toString());
        edgeEnv.put("EDGE_BROKER_URL", mosquitto.tcpUrl());
        edgeEnv.put("EDGE_COAP_HOST", "127.0.0.1");
        edgeEnv.put("EDGE_COAP_PORT", "0");
        edgeEnv.put("EDGE_METRICS_HOST", "127.0.0.1");
        edgeEnv.put("EDGE_METRICS_PORT", "0");
        edgeEnv.put("EDGE_UPLINK_URL", "tcp://127.0.0.1:" + hub.uplinkPort());
        edgeEnv.put("EDGE_UPLINK_SECRET", SECRET);
        edgeEnv.put("EDGE_UPLINK_LINGER", "50ms");
        edgeEnv.put("EDGE_PRIVACY_PSEUDONYM_KEY", "e2e-community-pseudonym-secret-0123456789");
        try {
            edge = EdgeAgent.start(org.communityguard.edge.config.Config.load(EdgeSettings.ALL, null, edgeEnv));
        } catch (RuntimeException e) {
            hub.close();
            throw e;
        }
    }

    URI coapBase() {
        return URI.create("coap://127.0.0.1:" + edge.coapPort());
    }

    /** Per device, every seq stored at the hub, with how many times. */
    Map<String, Map<Long, Integer>> storedSeqs() throws SQLException {
        Map<String, Map<Long, Integer>> stored = new TreeMap<>();
        try (Connection c = hub.database().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT device_id, seq, count(*) FROM readings WHERE seq IS NOT NULL GROUP BY 1, 2");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                stored.computeIfAbsent(rs.getString(1), k -> new TreeMap<>()).put(rs.getLong(2), rs.getInt(3));
            }
        }
        return stored;
    }

    long count(String sql) throws SQLException {
        try (Connection c = hub.database().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** GET an API path as the admin, through the real HTTP API. */
    JsonNode api(String path) throws Exception {
        return api("GET", path, null);
    }

    /** Calls the real HTTP API as the admin; anything but 200 fails the test. */
    JsonNode api(String method, String path, String body) throws Exception {
        String base = "http://127.0.0.1:" + hub.httpPort();
        HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(base + "/api/auth/token"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"admin\",\"password\":\"" + ADMIN_PASSWORD + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        String token = json.readTree(login.body()).path("token").asText();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return json.readTree(r.body());
    }

    static Set<Long> union(Set<Long> a, Set<Long> b) {
        Set<Long> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }

    @Override
    public void close() {
        edge.close();
        hub.close();
    }
}
