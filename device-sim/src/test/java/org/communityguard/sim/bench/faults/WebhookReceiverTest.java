package org.communityguard.sim.bench.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The bench's notification provider over real HTTP: up, answering 503, refusing, up again on the same port. */
class WebhookReceiverTest {

    private final HttpClient http = HttpClient.newHttpClient();

    private int post(int port, String delivery) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/notify"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"event\":\"dispatched\"}"));
        if (delivery != null) {
            request.header("X-CommunityGuard-Delivery", delivery);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void acceptsRefusesAndComesBackOnItsPort() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        try (WebhookReceiver receiver = new WebhookReceiver(port)) {
            assertThat(post(port, "7")).isEqualTo(204);
            assertThat(post(port, null)).as("no delivery id").isEqualTo(400);

            receiver.mode(WebhookReceiver.Mode.ANSWER_503);
            assertThat(post(port, "8")).isEqualTo(503);
            assertThat(receiver.answered503()).isEqualTo(1);

            receiver.mode(WebhookReceiver.Mode.REFUSE);
            assertThatThrownBy(() -> post(port, "8")).as("nothing listens").isInstanceOf(ConnectException.class);

            receiver.mode(WebhookReceiver.Mode.UP);
            assertThat(post(port, "8")).isEqualTo(204);
            assertThat(receiver.acceptedDeliveries()).containsExactlyInAnyOrder(7L, 8L);
        }
    }
}
