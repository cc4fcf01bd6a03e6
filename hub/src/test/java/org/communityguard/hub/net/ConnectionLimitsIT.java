package org.communityguard.hub.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.communityguard.hub.ApiClient;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.hub.ingest.UplinkTestClient;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Nobody holds the hub's connections open for free (issue 12, item 8): an uplink connection
 * that never sends CONNECT, an idle or slowly-sent HTTP request, too many connections in total
 * or from one address. Raw sockets, so nothing is hidden by a well-behaved client.
 */
@ExtendWith(RealServers.class)
class ConnectionLimitsIT {

    private static Hub hub(TimescaleDb timescale, String... settings) throws Exception {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < settings.length; i += 2) {
            env.put(settings[i], settings[i + 1]);
        }
        return HubFixture.start(timescale.createDatabase(), env);
    }

    private static Socket socket(int port) throws IOException {
        return socket(port, "127.0.0.1");
    }

    /** From a loopback address of its own (127.0.0.x), to count as another client. */
    private static Socket socket(int port, String from) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port, InetAddress.getByName(from), 0);
        s.setSoTimeout(30_000);
        return s;
    }

    /** Everything the hub sends until it closes the connection (a read timeout fails the test). */
    private static String readUntilClosed(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    private static boolean metric(Hub hub, String prefix) {
        return List.of(hub.scrapeMetrics().split("\n")).stream().anyMatch(l -> l.startsWith(prefix) && !l.endsWith(" 0.0"));
    }

    @Test
    void anUplinkConnectionThatNeverCompletesConnectIsClosed(TimescaleDb timescale) throws Exception {
        try (Hub hub = hub(timescale, "HUB_UPLINK_CONNECT_TIMEOUT", "1s");
             Socket silent = socket(hub.uplinkPort());
             Socket partial = socket(hub.uplinkPort())) {
            send(partial, "\u0010\u0020"); // a CONNECT's fixed header, and nothing of its 32 bytes

            assertThat(readUntilClosed(silent)).isEmpty();
            assertThat(readUntilClosed(partial)).isEmpty();
            assertThat(metric(hub, "hub_uplink_rejections_total{reason=\"connect_timeout\"} 2.0")).isTrue();
            // A gateway that does connect is not affected.
            try (UplinkTestClient gw = new UplinkTestClient(hub.uplinkPort(), HubFixture.GATEWAY, HubFixture.GATEWAY_SECRET)) {
                // For longer than the CONNECT timeout: an authenticated session is not timed out by it.
                await().during(1500, TimeUnit.MILLISECONDS).atMost(10, TimeUnit.SECONDS).until(gw.paho()::isConnected);
            }
        }
    }

    @Test
    void uplinkConnectionsAreLimited(TimescaleDb timescale) throws Exception {
        try (Hub hub = hub(timescale, "HUB_UPLINK_MAX_CONNECTIONS", "2");
             Socket first = socket(hub.uplinkPort());
             Socket second = socket(hub.uplinkPort())) {
            await().atMost(30, TimeUnit.SECONDS).until(() -> gauge(hub, "hub_connections_open{server=\"uplink\"}") == 2);
            try (Socket third = socket(hub.uplinkPort())) {
                assertThat(readUntilClosed(third)).isEmpty();
            }
            assertThat(metric(hub, "hub_uplink_rejections_total{reason=\"too_many_connections\"}")).isTrue();

            first.close();
            await().atMost(30, TimeUnit.SECONDS).untilAsserted(() -> {
                try (UplinkTestClient gw = new UplinkTestClient(hub.uplinkPort(), HubFixture.GATEWAY, HubFixture.GATEWAY_SECRET)) {
                    assertThat(gw.paho().isConnected()).isTrue();
                }
            });
        }
    }

    @Test
    void anIdleHttpConnectionIsClosed(TimescaleDb timescale) throws Exception {
        try (Hub hub = hub(timescale, "HUB_HTTP_IDLE_TIMEOUT", "1s");
             Socket s = socket(hub.httpPort())) {
            send(s, "GET /api/health HTTP/1.1\r\nHost: hub\r\n\r\n");

            String answer = readUntilClosed(s);
            assertThat(answer).startsWith("HTTP/1.1 200").doesNotContain("408");
            assertThat(metric(hub, "hub_http_connections_closed_total{reason=\"idle_timeout\"}")).isTrue();
        }
    }

    @Test
    void aRequestThatDoesNotArriveInTimeIsAnswered408(TimescaleDb timescale) throws Exception {
        try (Hub hub = hub(timescale, "HUB_HTTP_REQUEST_TIMEOUT", "1s");
             Socket headers = socket(hub.httpPort());
             Socket body = socket(hub.httpPort())) {
            send(headers, "GET /api/health HTTP/1.1\r\nHost: hub\r\n"); // the blank line never comes
            send(body, "POST /api/auth/token HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100\r\n\r\n{\"user");

            assertThat(readUntilClosed(headers)).startsWith("HTTP/1.1 408");
            assertThat(readUntilClosed(body)).startsWith("HTTP/1.1 408");
            assertThat(metric(hub, "hub_http_connections_closed_total{reason=\"request_timeout\"} 2.0")).isTrue();
        }
    }

    @Test
    void httpConnectionsAreLimitedPerAddressAndInTotal(TimescaleDb timescale) throws Exception {
        try (Hub hub = hub(timescale, "HUB_HTTP_MAX_CONNECTIONS", "3", "HUB_HTTP_MAX_CONNECTIONS_PER_ADDRESS", "2");
             Socket a1 = socket(hub.httpPort(), "127.0.0.1");
             Socket a2 = socket(hub.httpPort(), "127.0.0.1")) {
            await().atMost(30, TimeUnit.SECONDS).until(() -> gauge(hub, "hub_connections_open{server=\"http\"}") == 2);
            try (Socket a3 = socket(hub.httpPort(), "127.0.0.1")) {
                assertThat(readUntilClosed(a3)).startsWith("HTTP/1.1 503").contains("from your address");
            }
            Socket b1 = socket(hub.httpPort(), "127.0.0.2");
            await().atMost(30, TimeUnit.SECONDS).until(() -> gauge(hub, "hub_connections_open{server=\"http\"}") == 3);
            try (Socket c1 = socket(hub.httpPort(), "127.0.0.3")) {
                assertThat(readUntilClosed(c1)).startsWith("HTTP/1.1 503").contains("too many connections");
            }
            assertThat(metric(hub, "hub_http_connections_refused_total{reason=\"too_many_from_address\"}")).isTrue();
            assertThat(metric(hub, "hub_http_connections_refused_total{reason=\"too_many_connections\"}")).isTrue();

            // The admitted connections are served.
            try (b1) {
                send(b1, "GET /api/health HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n\r\n");
                assertThat(readUntilClosed(b1)).startsWith("HTTP/1.1 200");
            }
        }
    }

    @Test
    void aLiveEventStreamOutlastsTheIdleTimeout(TimescaleDb timescale) throws Exception {
        try (Hub hub = hub(timescale, "HUB_HTTP_IDLE_TIMEOUT", "1s", "HUB_HTTP_REQUEST_TIMEOUT", "1s",
                "HUB_LIVE_HEARTBEAT", "3s")) {
            String token = ApiClient.admin(hub).token();
            try (Socket s = socket(hub.httpPort())) {
                readHeartbeat(s, token);
            }
        }
    }

    private static void readHeartbeat(Socket s, String token) throws IOException {
        send(s, "GET /api/events HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer " + token + "\r\n\r\n");
        // The first heartbeat comes three idle timeouts after the stream began.
        InputStream in = s.getInputStream();
        StringBuilder got = new StringBuilder();
        while (!got.toString().contains(": keep-alive")) {
            int c = in.read();
            assertThat(c).as("stream closed after: " + got).isNotEqualTo(-1);
            got.append((char) c);
        }
        assertThat(got.toString()).startsWith("HTTP/1.1 200");
    }

    private static double gauge(Hub hub, String name) {
        for (String line : hub.scrapeMetrics().split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(line.indexOf(' ') + 1));
            }
        }
        return -1;
    }
}
