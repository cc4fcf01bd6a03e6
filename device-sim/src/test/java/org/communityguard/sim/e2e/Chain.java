package org.communityguard.sim.e2e;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.communityguard.edge.EdgeAgent;
import org.communityguard.edge.config.EdgeSettings;
import org.communityguard.hub.Hub;
import org.communityguard.hub.config.HubSettings;
import org.communityguard.testkit.Database;
import org.communityguard.sim.site.SiteDevice;
import org.communityguard.sim.site.SiteLoader;
import org.communityguard.testkit.Mosquitto;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * The whole chain, as deploy/demo.sh runs it but on real servers: a hub on TimescaleDB, an edge
 * agent on Mosquitto, both on free ports, configured only through their documented settings.
 */
final class Chain implements AutoCloseable {

    static final Path SITE = Path.of("..", "deploy", "demo", "site.yaml");
    static final String GATEWAY = "gw-sunny-1";
    static final String SECRET = "e2e-gateway-secret-0123";
    static final String ADMIN_PASSWORD = "e2e-admin-password";

    final Hub hub;
    final EdgeAgent edge;
    private final Path bufferDir;

    Chain(Database db, Mosquitto mosquitto) throws SQLException, IOException {
        this(db, mosquitto, Map.of());
    }

    /** @param hubSettings extra hub settings ({@code HUB_...}), e.g. a shorter liveness interval */
    Chain(Database db, Mosquitto mosquitto, Map<String, String> hubSettings) throws SQLException, IOException {
        Map<String, String> hubEnv = hubEnv(db, 0);
        hubEnv.putAll(hubSettings);
        hub = startHub(hubEnv);
        clearBroker(mosquitto);
        bufferDir = Files.createTempDirectory("edge-buffer");
        Map<String, String> edgeEnv = edgeEnv(mosquitto.tcpUrl(), "tcp://127.0.0.1:" + hub.uplinkPort(), bufferDir);
        edgeEnv.put("EDGE_COAP_PORT", "0");
        edgeEnv.put("EDGE_METRICS_PORT", "0");
        try {
            edge = EdgeAgent.start(org.communityguard.edge.config.Config.load(EdgeSettings.ALL, null, edgeEnv));
        } catch (RuntimeException e) {
            hub.close();
            throw e;
        }
        // The agent's session on the shared Mosquitto is new: a device's publish before it has
        // subscribed reaches no one, acknowledged all the same (FoundationIT failed so once, the
        // agent's check whether the broker is open making its first connection later).
        try {
            await().atMost(Duration.ofSeconds(60)).until(edge::deviceBrokerListening);
        } catch (RuntimeException e) {
            edge.close();
            hub.close();
            throw e;
        }
    }

    /**
     * The tests share one Mosquitto, and what a previous test left there would reach this chain's
     * agent and report the previous test's devices offline: the {@code offline} a simulated device
     * leaves retained on its status topic when it stops, and whatever was queued for the agent's
     * persistent session (same gateway, same client id) after the previous agent stopped.
     */
    static void clearBroker(Mosquitto mosquitto) throws IOException {
        try (MqttClient client = new MqttClient(mosquitto.tcpUrl(), "chain-clear-" + System.nanoTime(), new MemoryPersistence())) {
            MqttConnectOptions options = new MqttConnectOptions();
            // Room for every device's clear in flight: Paho's default window of 10 refuses the eleventh.
            options.setMaxInflight(1000);
            client.connect(options);
            for (SiteDevice d : SiteLoader.load(SITE).devices()) {
                client.publish("devices/" + d.id() + "/status", new byte[0], 1, true);
            }
            client.disconnect();
        } catch (MqttException e) {
            throw new IOException("could not clear retained device status on " + mosquitto.tcpUrl(), e);
        }
        // A clean session under the agent's client id ends the old one, queued messages and all.
        try (MqttClient agentSession = new MqttClient(mosquitto.tcpUrl(), "edge-" + GATEWAY, new MemoryPersistence())) {
            MqttConnectOptions options = new MqttConnectOptions();
            options.setCleanSession(true);
            agentSession.connect(options);
            agentSession.disconnect();
        } catch (MqttException e) {
            throw new IOException("could not end the agent's previous session on " + mosquitto.tcpUrl(), e);
        }
    }

    /** The hub's settings for a test: TimescaleDB, loopback, the demo site, the demo gateway registered. */
    static Map<String, String> hubEnv(Database db, int uplinkPort) {
        Map<String, String> hubEnv = new HashMap<>();
        hubEnv.put("HUB_DB_URL", db.jdbcUrl());
        hubEnv.put("HUB_DB_USER", db.user());
        hubEnv.put("HUB_DB_PASSWORD", db.password());
        hubEnv.put("HUB_HTTP_HOST", "127.0.0.1");
        hubEnv.put("HUB_HTTP_PORT", "0");
        hubEnv.put("HUB_UPLINK_HOST", "127.0.0.1");
        hubEnv.put("HUB_UPLINK_PORT", Integer.toString(uplinkPort));
        hubEnv.put("HUB_UPLINK_GATEWAYS", GATEWAY + ":" + SECRET);
        hubEnv.put("HUB_ADMIN_PASSWORD", ADMIN_PASSWORD);
        hubEnv.put("HUB_SITE_FILE", SITE.toString());
        return hubEnv;
    }

    static Hub startHub(Map<String, String> env) throws SQLException {
        return Hub.start(org.communityguard.hub.config.Config.load(HubSettings.ALL, null, env));
    }

    /** The edge agent's settings for a test: the demo gateway, its own buffer directory; ports are the caller's. */
    static Map<String, String> edgeEnv(String brokerUrl, String uplinkUrl, Path bufferDir) {
        Map<String, String> edgeEnv = new HashMap<>();
        edgeEnv.put("EDGE_GATEWAY_ID", GATEWAY);
        edgeEnv.put("EDGE_SITE_FILE", SITE.toString());
        edgeEnv.put("EDGE_BROKER_URL", brokerUrl);
        edgeEnv.put("EDGE_COAP_HOST", "127.0.0.1");
        edgeEnv.put("EDGE_METRICS_HOST", "127.0.0.1");
        edgeEnv.put("EDGE_UPLINK_URL", uplinkUrl);
        edgeEnv.put("EDGE_UPLINK_SECRET", SECRET);
        edgeEnv.put("EDGE_UPLINK_LINGER", "50ms");
        edgeEnv.put("EDGE_UPLINK_RETRY", "500ms");
        edgeEnv.put("EDGE_PRIVACY_PSEUDONYM_KEY", "e2e-community-pseudonym-secret-0123456789");
        edgeEnv.put("EDGE_BUFFER_DIR", bufferDir.toString());
        return edgeEnv;
    }

    URI coapBase() {
        return URI.create("coap://127.0.0.1:" + edge.coapPort());
    }

    /** Per device, every seq stored at the hub, with how many times. */
    Map<String, Map<Long, Integer>> storedSeqs() throws SQLException {
        return storedSeqs(hub);
    }

    static Map<String, Map<Long, Integer>> storedSeqs(Hub hub) throws SQLException {
        return storedSeqs(hub, "SELECT device_id, seq, count(*) FROM readings WHERE seq IS NOT NULL GROUP BY 1, 2", null);
    }

    /**
     * Per device, every seq stored at the hub with a device time of {@code from} or later, with how
     * many times: the readings of devices since they last restarted their counters.
     */
    static Map<String, Map<Long, Integer>> storedSeqsSince(Hub hub, java.time.Instant from) throws SQLException {
        return storedSeqs(hub, "SELECT device_id, seq, count(*) FROM readings WHERE seq IS NOT NULL AND device_ts >= ?"
                + " GROUP BY 1, 2", java.time.OffsetDateTime.ofInstant(from, java.time.ZoneOffset.UTC));
    }

    private static Map<String, Map<Long, Integer>> storedSeqs(Hub hub, String sql, Object parameter) throws SQLException {
        Map<String, Map<Long, Integer>> stored = new TreeMap<>();
        try (Connection c = hub.database().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(sql)) {
            if (parameter != null) {
                ps.setObject(1, parameter);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    stored.computeIfAbsent(rs.getString(1), k -> new TreeMap<>()).put(rs.getLong(2), rs.getInt(3));
                }
            }
        }
        return stored;
    }

    long count(String sql) throws SQLException {
        return count(hub, sql);
    }

    static long count(Hub hub, String sql) throws SQLException {
        try (Connection c = hub.database().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static String text(Hub hub, String sql) throws SQLException {
        try (Connection c = hub.database().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** GET an API path as the admin, through the real HTTP API. */
    JsonNode api(String path) throws Exception {
        return api(hub, "GET", path, null);
    }

    JsonNode api(String method, String path, String body) throws Exception {
        return api(hub, method, path, body);
    }

    static JsonNode api(Hub hub, String path) throws Exception {
        return api(hub, "GET", path, null);
    }

    /** Calls the real HTTP API as the admin; anything but 200 fails the test. */
    static JsonNode api(Hub hub, String method, String path, String body) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        ObjectMapper json = new ObjectMapper();
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

    /**
     * Every acknowledged (device, seq) of the ledger stored exactly once, nothing stored twice or
     * never sent: the problems found, none when the promise holds.
     */
    static List<String> storedOnceProblems(Map<String, ? extends Set<Long>> acknowledged, Map<String, ? extends Set<Long>> sent,
                                           Map<String, Map<Long, Integer>> stored) {
        List<String> problems = new ArrayList<>();
        acknowledged.forEach((device, seqs) -> {
            for (long seq : seqs) {
                int times = stored.getOrDefault(device, Map.of()).getOrDefault(seq, 0);
                if (times != 1) {
                    problems.add(device + " seq " + seq + " stored " + times + " times");
                }
            }
        });
        stored.forEach((device, seqs) -> seqs.forEach((seq, times) -> {
            Set<Long> s = sent.get(device);
            if (s == null || !s.contains(seq)) {
                problems.add(device + " seq " + seq + " stored but never sent");
            }
            if (times != 1) {
                problems.add(device + " seq " + seq + " stored " + times + " times");
            }
        }));
        return problems;
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
        try (var files = Files.walk(bufferDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // A temporary directory left behind is harmless.
        }
    }
}
