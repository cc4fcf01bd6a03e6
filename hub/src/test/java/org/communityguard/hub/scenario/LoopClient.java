package org.communityguard.hub.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * What the tests of the loop do as people and devices would: a real HTTP client against the
 * hub's API, and a real MQTT 5 gateway client raising a smoke alarm over the uplink.
 */
public final class LoopClient {

    /** An HTTP answer with its body parsed when it is JSON. */
    public record Answer(int status, JsonNode json, HttpResponse<byte[]> raw) {
        public String error() {
            return json.path("error").asText();
        }
    }

    private static final AtomicLong BATCHES = new AtomicLong(System.currentTimeMillis());
    private static final Pattern LOOP_RUNS = Pattern.compile("(?m)^hub_loop_runs_total (\\S+)$");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final Hub hub;

    public LoopClient(Hub hub) {
        this.hub = hub;
    }

    public ObjectMapper json() {
        return json;
    }

    public String login(String username, String password) throws Exception {
        Answer a = send("POST", "/api/auth/token", null, "{\"username\": \"" + username + "\", \"password\": \"" + password + "\"}");
        assertThat(a.status()).as("login of " + username + ": " + a.json()).isEqualTo(200);
        return a.json().path("token").asText();
    }

    public String admin() throws Exception {
        return login("admin", HubFixture.ADMIN_PASSWORD);
    }

    public Answer get(String token, String path) throws Exception {
        return send("GET", path, token, null);
    }

    public Answer post(String token, String path, String body) throws Exception {
        return send("POST", path, token, body);
    }

    public Answer put(String token, String path, String body) throws Exception {
        return send("PUT", path, token, body);
    }

    public Answer send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return exchange(b, token);
    }

    /** multipart/form-data with text fields and an optional file part {@code photo}. */
    public Answer multipart(String token, String path, java.util.Map<String, String> fields, String fileName, byte[] photo)
            throws Exception {
        String boundary = "----cg" + System.nanoTime();
        var out = new java.io.ByteArrayOutputStream();
        for (var e : fields.entrySet()) {
            out.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + e.getKey() + "\"\r\n"
                    + "Content-Type: text/plain; charset=UTF-8\r\n\r\n" + e.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        if (photo != null) {
            out.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"" + fileName + "\"\r\n"
                    + "Content-Type: image/jpeg\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.write(photo);
            out.write("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        out.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray()));
        return exchange(b, token);
    }

    private Answer exchange(HttpRequest.Builder b, String token) throws Exception {
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        boolean isJson = r.headers().firstValue("Content-Type").orElse("").startsWith("application/json");
        return new Answer(r.statusCode(), isJson ? json.readTree(r.body()) : json.missingNode(), r);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + hub.httpPort() + path);
    }

    /** A gateway reports a smoke detector's own alarm over the MQTT 5 uplink (docs/uplink.md). */
    public void smokeAlarm(String deviceId) throws Exception {
        long batch = BATCHES.incrementAndGet();
        long now = System.currentTimeMillis();
        String payload = "{\"v\": 1, \"gateway\": \"" + HubFixture.GATEWAY + "\", \"batch\": \"" + HubFixture.GATEWAY + ":" + batch
                + ":1\", \"readings\": [{\"device\": \"" + deviceId + "\", \"type\": \"smoke_detector\", \"kind\": \"event\","
                + " \"rx\": " + now + ", \"data\": {\"event\": \"alarm\", \"level\": \"alarm\"}}]}";
        MqttClient client = new MqttClient("tcp://127.0.0.1:" + hub.uplinkPort(), HubFixture.GATEWAY, new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setUserName(HubFixture.GATEWAY);
        o.setPassword(HubFixture.GATEWAY_SECRET.getBytes(StandardCharsets.UTF_8));
        try {
            client.connect(o);
            MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
            m.setQos(1);
            client.publish("uplink/v1/" + HubFixture.GATEWAY + "/batch", m);
            client.disconnect();
        } finally {
            client.close();
        }
    }

    /** The one incident at a device in a status, as a property manager's list shows it. */
    public long incidentAt(String token, String deviceId, String status) throws Exception {
        Answer list = get(token, "/api/incidents?status=" + status);
        for (JsonNode i : list.json().path("incidents")) {
            if (deviceId.equals(i.path("device_id").asText())) {
                return i.path("id").asLong();
            }
        }
        return -1;
    }

    /** Raises a smoke alarm at {@code deviceId} and waits until its incident is dispatched; returns its id. */
    public long dispatchedFireAt(String token, String deviceId) throws Exception {
        smokeAlarm(deviceId);
        long[] id = {-1};
        await().atMost(Duration.ofSeconds(20)).until(() -> (id[0] = incidentAt(token, deviceId, "dispatched")) > 0);
        return id[0];
    }

    /**
     * Waits until a pass of the hub's incident loop that began after this call has completed:
     * whatever was due by then (a dispatch, an escalation, a resident alert) has been done, and
     * what has not happened will not have happened for want of a pass.
     */
    public void awaitLoopPass() {
        long seen = loopRuns();
        // The pass running now may have begun before this call; the one after it began after.
        await().atMost(Duration.ofSeconds(30)).until(() -> loopRuns() >= seen + 2);
    }

    private long loopRuns() {
        Matcher m = LOOP_RUNS.matcher(hub.scrapeMetrics());
        return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    }

    /** Creates a staff account through the admin API. */
    public void createUser(String adminToken, String username, String role, String grid, String department, String phone,
                           String email) throws Exception {
        var body = json.createObjectNode().put("username", username).put("password", username + "-password")
                .put("role", role).put("display_name", username);
        if (grid != null) {
            body.put("grid", grid);
        }
        if (department != null) {
            body.put("department", department);
        }
        if (phone != null) {
            body.put("phone", phone);
        }
        if (email != null) {
            body.put("email", email);
        }
        Answer a = post(adminToken, "/api/users", body.toString());
        assertThat(a.status()).as("create user " + username + ": " + a.json()).isEqualTo(201);
    }

    public String loginAs(String username) throws Exception {
        return login(username, username + "-password");
    }
}
