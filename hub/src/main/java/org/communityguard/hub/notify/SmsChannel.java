package org.communityguard.hub.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A generic HTTP SMS gateway: {@code POST <url>} with {@code {"to": "+8613800000000", "text": "..."}}
 * and, when a token is set, {@code Authorization: Bearer <token>}; any 2xx is accepted, other answers
 * are taken as {@link HttpDelivery} says (a 401 is a wrong token, to fix, not to retry). Most
 * commercial gateways accept this shape or sit behind a small adapter that does.
 */
public final class SmsChannel implements NotificationChannel {

    private static final Pattern PHONE = Pattern.compile("\\+?[0-9][0-9 -]{4,19}");
    /** Long texts are cut, not split: one SMS is what an elderly resident reliably reads. */
    static final int MAX_TEXT = 300;

    private final URI url;
    private final String token;
    private final Duration timeout;
    private final ObjectMapper json;
    private final HttpClient http;

    public SmsChannel(URI url, String token, Duration timeout, ObjectMapper json) {
        this.url = url;
        this.token = token;
        this.timeout = timeout;
        this.json = json;
        this.http = HttpDelivery.client(timeout);
    }

    @Override
    public String name() {
        return "sms";
    }

    @Override
    public void send(Notification n) throws Exception {
        if (!PHONE.matcher(n.recipient()).matches()) {
            throw new Undeliverable(Undelivered.Cause.REJECTED, "not a phone number: " + n.recipient());
        }
        String text = n.body().length() <= MAX_TEXT ? n.body() : n.body().substring(0, MAX_TEXT - 1) + "…";
        HttpRequest.Builder b = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(Map.of("to", n.recipient(), "text", text))));
        if (!token.isEmpty()) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpDelivery.send(http, b.build(), timeout, "SMS gateway");
    }
}
