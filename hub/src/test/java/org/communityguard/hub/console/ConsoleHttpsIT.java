package org.communityguard.hub.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TestCa;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console and the API over HTTPS on the hub's own port (http.tls-cert, http.tls-key), with a
 * certificate made in the test and a client that trusts only its CA: answers carry HSTS, the
 * session cookie is Secure, the live event stream flows over TLS, and nothing is served in the
 * clear on that port.
 */
@ExtendWith(RealServers.class)
class ConsoleHttpsIT {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void theConsoleIsServedOverTlsOnlyWithHstsASecureCookieAndItsLiveStream(TimescaleDb timescale, @TempDir Path tmp)
            throws Exception {
        TestCa ca = new TestCa("CommunityGuard test CA");
        Path[] server = ca.issueServer(tmp, "hub");
        try (Hub hub = HubFixture.start(timescale.createDatabase(), Map.of(
                "HUB_HTTP_TLS_CERT", server[0].toString(),
                "HUB_HTTP_TLS_KEY", server[1].toString(),
                "HUB_LIVE_HEARTBEAT", "200ms"))) {
            HttpClient https = HttpClient.newBuilder().sslContext(trusting(ca.writeCert(tmp.resolve("ca.crt"))))
                    .connectTimeout(Duration.ofSeconds(20)).build();
            String base = "https://127.0.0.1:" + hub.httpPort();

            HttpResponse<String> page = https.send(HttpRequest.newBuilder(URI.create(base + "/")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("<html");
            assertThat(page.headers().firstValue("Strict-Transport-Security")).hasValue(
                    "max-age=" + Duration.ofDays(365).toSeconds());

            HttpResponse<String> login = https.send(HttpRequest.newBuilder(URI.create(base + "/api/auth/login"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(
                            Map.of("username", "admin", "password", HubFixture.ADMIN_PASSWORD))))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(login.statusCode()).isEqualTo(200);
            assertThat(login.headers().firstValue("Strict-Transport-Security")).isPresent();
            String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
            assertThat(setCookie).contains("Secure", "SameSite=Strict").containsIgnoringCase("HttpOnly");
            String cookie = setCookie.substring(0, setCookie.indexOf(';'));
            String csrf = json.readTree(login.body()).path("csrf_token").asText();

            // The live stream over TLS: its head, then an event (signing out ends it with one).
            try (EventStreamClient events = new EventStreamClient(https, HttpRequest.newBuilder(URI.create(base + "/api/events"))
                    .header("Cookie", cookie).GET().build())) {
                assertThat(events.response.statusCode()).isEqualTo(200);
                assertThat(events.response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
                assertThat(events.response.headers().firstValue("Strict-Transport-Security")).isPresent();
                assertThat(events.sawLine("retry: 3000")).as("the stream's first line").isTrue();
                HttpResponse<String> logout = https.send(HttpRequest.newBuilder(URI.create(base + "/api/auth/logout"))
                        .header("Cookie", cookie).header("X-CSRF-Token", csrf)
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(logout.statusCode()).isEqualTo(200);
                assertThat(EventStreamClient.field(events.nextEvent(), "event")).isEqualTo("signed-out");
            }

            // Plain HTTP to the TLS port: the client gets no answer, and no byte of HTTP comes back.
            assertThatThrownBy(() -> HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.httpPort() + "/api/health"))
                            .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(IOException.class);
            String inTheClear = plainRequest(hub.httpPort(), "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(inTheClear).doesNotContain("HTTP/1.1").doesNotContain("<html");
        }
    }

    /** An SSLContext that trusts only the CA in {@code caPem}. */
    private static SSLContext trusting(Path caPem) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    /** Sends {@code request} in the clear and returns everything that comes back until the hub closes. */
    private static String plainRequest(int port, String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            // A bound, not a wait: the hub closes at once; a hub that kept the connection open fails here.
            s.setSoTimeout(20_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try {
                s.getInputStream().transferTo(got);
            } catch (java.net.SocketException reset) {
                // A reset after the hub's close is the same answer: nothing.
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
