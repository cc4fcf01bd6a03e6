package org.communityguard.hub.api;

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
import org.communityguard.hub.auth.Role;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * How much one HTTP request may take of the hub (issue 8): headers, bodies by route, the upload
 * budget, and live streams per user. Raw sockets against a real hub, so a refusal is seen to come
 * before the body was sent (the hub answers while the client still holds it).
 */
@ExtendWith(RealServers.class)
class HttpLimitsIT {

    private static Hub hub(TimescaleDb timescale, String... settings) throws Exception {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < settings.length; i += 2) {
            env.put(settings[i], settings[i + 1]);
        }
        return HubFixture.start(timescale.createDatabase(), env);
    }

    private static Socket socket(Hub hub) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), hub.httpPort());
        s.setSoTimeout(30_000);
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    /** Everything the hub sends until it closes the connection (a read timeout fails the test). */
    private static String readUntilClosed(Socket s) throws IOException {
        return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    /** The response head and as much body as has come when {@code marker} has been read. */
    private static String readUntil(Socket s, String marker) throws IOException {
        InputStream in = s.getInputStream();
        StringBuilder got = new StringBuilder();
        while (!got.toString().contains(marker)) {
            int c = in.read();
            assertThat(c).as("closed after: " + got).isNotEqualTo(-1);
            got.append((char) c);
        }
        return got.toString();
    }

    private static boolean counted(Hub hub, String line) {
        return List.of(hub.scrapeMetrics().split("\n")).stream().anyMatch(l -> l.startsWith(line) && !l.endsWith(" 0.0"));
    }

    @Test
    void headersOverTheLimitAreAnswered431AndALongRequestLine414(TimescaleDb timescale) throws Exception {
        try (Hub hub = hub(timescale, "HUB_HTTP_MAX_HEADER_BYTES", "2048");
             Socket fits = socket(hub);
             Socket big = socket(hub);
             Socket longLine = socket(hub)) {
            send(fits, "GET /api/health HTTP/1.1\r\nHost: hub\r\nX-Pad: " + "a".repeat(1500) + "\r\nConnection: close\r\n\r\n");
            send(big, "GET /api/health HTTP/1.1\r\nHost: hub\r\nX-Pad: " + "a".repeat(3000) + "\r\n\r\n");
            send(longLine, "GET /api/health?" + "q".repeat(5000) + " HTTP/1.1\r\nHost: hub\r\n\r\n");

            assertThat(readUntilClosed(fits)).startsWith("HTTP/1.1 200");
            assertThat(readUntilClosed(big)).startsWith("HTTP/1.1 431").contains("headers are larger than 2048 bytes");
            assertThat(readUntilClosed(longLine)).startsWith("HTTP/1.1 414").contains("request line is longer than 4096 bytes");
            assertThat(counted(hub, "hub_http_requests_refused_total{reason=\"header_too_large\"}")).isTrue();
        }
    }

    @Test
    void aBodyOverItsRoutesLimitIsAnswered413BeforeItIsSent(TimescaleDb timescale) throws Exception {
        try (Hub hub = hub(timescale);
             Socket declared = socket(hub);
             Socket chunked = socket(hub);
             Socket upload = socket(hub)) {
            // 64 KiB and one byte declared, nothing of it sent: the answer cannot wait for the body.
            send(declared, "POST /api/auth/token HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 65537\r\n\r\n");
            assertThat(readUntilClosed(declared)).startsWith("HTTP/1.1 413").contains("larger than 65536 bytes");

            // Without a length: refused once the bytes pass the limit.
            send(chunked, "POST /api/auth/token HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n");
            String chunk = "4000\r\n" + "x".repeat(0x4000) + "\r\n";
            for (int i = 0; i < 5; i++) {
                send(chunked, chunk);
            }
            assertThat(readUntilClosed(chunked)).startsWith("HTTP/1.1 413");

            // A photo upload takes megabytes, but not more than its own limit.
            send(upload, "POST /api/reports HTTP/1.1\r\nHost: hub\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                    + "Content-Length: " + (7 * 1024 * 1024) + "\r\n\r\n");
            assertThat(readUntilClosed(upload)).startsWith("HTTP/1.1 413").contains("larger than " + (6 * 1024 * 1024) + " bytes");
            assertThat(counted(hub, "hub_http_requests_refused_total{reason=\"body_too_large\"} 3.0")).isTrue();
        }
    }

    @Test
    void anUploadRouteTakesAMegabyteAnotherRouteDoesNot(TimescaleDb timescale) throws Exception {
        try (Hub hub = hub(timescale);
             Socket upload = socket(hub);
             Socket other = socket(hub)) {
            byte[] body = new byte[1024 * 1024];
            send(upload, "POST /api/reports HTTP/1.1\r\nHost: hub\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                    + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n");
            upload.getOutputStream().write(body);
            // Read whole, then refused for who sent it: no token.
            assertThat(readUntilClosed(upload)).startsWith("HTTP/1.1 401");

            send(other, "POST /api/residents HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n");
            assertThat(readUntilClosed(other)).startsWith("HTTP/1.1 413");
        }
    }

    @Test
    void uploadsTogetherKeepToTheBudget(TimescaleDb timescale) throws Exception {
        try (Hub hub = hub(timescale, "HUB_HTTP_UPLOAD_BUDGET_BYTES", Integer.toString(1536 * 1024));
             Socket first = socket(hub);
             Socket second = socket(hub)) {
            String head = "POST /api/reports HTTP/1.1\r\nHost: hub\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                    + "Content-Length: " + (1024 * 1024) + "\r\nConnection: close\r\n\r\n";
            send(first, head + "--b");        // a megabyte on its way: held in the budget
            await().atMost(30, TimeUnit.SECONDS).until(() -> gauge(hub, "hub_http_upload_bytes") >= 1024 * 1024);
            send(second, head);

            String refused = readUntilClosed(second);
            // Header names are case-insensitive (Netty writes them in lower case).
            assertThat(refused).startsWith("HTTP/1.1 503").containsIgnoringCase("Retry-After: 5").contains("too many uploads");
            assertThat(counted(hub, "hub_http_requests_refused_total{reason=\"upload_budget\"}")).isTrue();

            first.close();
            // The first one's share comes back when its connection goes: a new upload is read again.
            await().atMost(30, TimeUnit.SECONDS).untilAsserted(() -> {
                try (Socket again = socket(hub)) {
                    send(again, head);
                    again.getOutputStream().write(new byte[1024 * 1024]);
                    assertThat(readUntilClosed(again)).startsWith("HTTP/1.1 401");
                }
            });
        }
    }

    @Test
    void oneUserHasAtMostItsShareOfLiveStreams(TimescaleDb timescale) throws Exception {
        try (Hub hub = hub(timescale, "HUB_LIVE_MAX_CLIENTS_PER_USER", "2")) {
            String admin = ApiClient.admin(hub).token();
            String manager = ApiClient.user(hub, "pm-limits", Role.PROPERTY_MANAGER).token();
            String open = "GET /api/events HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer %s\r\n\r\n";
            try (Socket one = socket(hub); Socket two = socket(hub); Socket three = socket(hub); Socket other = socket(hub)) {
                send(one, open.formatted(admin));
                assertThat(readUntil(one, "retry:")).startsWith("HTTP/1.1 200");
                send(two, open.formatted(admin));
                assertThat(readUntil(two, "retry:")).startsWith("HTTP/1.1 200");

                send(three, open.formatted(admin));
                // The head first: a stream would never send the "}" of an error body.
                assertThat(readUntil(three, "\r\n\r\n")).startsWith("HTTP/1.1 429").containsIgnoringCase("Retry-After: 5");
                assertThat(readUntil(three, "}")).contains("2 live streams open already");
                // Another user is not held back by the admin's streams.
                send(other, open.formatted(manager));
                assertThat(readUntil(other, "retry:")).startsWith("HTTP/1.1 200");
                assertThat(counted(hub, "hub_live_clients_refused_total")).isTrue();

                one.close();
                await().atMost(30, TimeUnit.SECONDS).untilAsserted(() -> {
                    try (Socket again = socket(hub)) {
                        send(again, open.formatted(admin));
                        assertThat(readUntil(again, "\r\n")).startsWith("HTTP/1.1 200");
                    }
                });
            }
        }
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
