package org.communityguard.hub.notify;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HTTP POST of the notification's JSON payload. The receiver checks
 * {@code X-CommunityGuard-Signature: sha256=<hex HMAC-SHA256 of the body with the shared secret>}.
 * Delivery is at least once: a retry, or a second hub taking over from one that stopped
 * mid-send, posts the same body again, with the same {@code X-CommunityGuard-Delivery} (the
 * notification's id), so a receiver drops duplicates by it. Retries and back-off are the
 * sender's, shared by all channels; how an answer is taken is {@link HttpDelivery}'s.
 */
public final class WebhookChannel implements NotificationChannel {

    public static final String SIGNATURE_HEADER = "X-CommunityGuard-Signature";
    public static final String DELIVERY_HEADER = "X-CommunityGuard-Delivery";
    public static final String EVENT_HEADER = "X-CommunityGuard-Event";

    private final HttpClient http;
    private final byte[] secret;
    private final Duration timeout;

    public WebhookChannel(String secret, Duration timeout) {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.timeout = timeout;
        this.http = HttpDelivery.client(timeout);
    }

    @Override
    public String name() {
        return "webhook";
    }

    @Override
    public void send(Notification n) throws Exception {
        URI uri;
        try {
            uri = URI.create(n.recipient());
        } catch (IllegalArgumentException e) {
            throw new Undeliverable(Undelivered.Cause.CONFIGURATION, "not a URL: " + n.recipient());
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new Undeliverable(Undelivered.Cause.CONFIGURATION, "webhook URL must be http or https: " + n.recipient());
        }
        byte[] body = n.payload().getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header(SIGNATURE_HEADER, "sha256=" + sign(secret, body))
                .header(DELIVERY_HEADER, Long.toString(n.id()))
                .header(EVENT_HEADER, n.event())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        HttpDelivery.send(http, request, timeout, "webhook");
    }

    /** Lower-case hex HMAC-SHA256 of {@code body}: what a receiver recomputes to check the header. */
    public static String sign(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has HmacSHA256", e);
        }
    }
}
