package org.communityguard.hub.notify;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * One HTTP request of a notification (webhook, SMS gateway), bounded in time, and how the
 * receiver's answer is taken: the one table for both channels (docs/incident-loop.md#notifications).
 * <ul>
 *   <li>2xx: delivered.
 *   <li>408, 425, 429, 5xx, no answer, a broken connection: tried again; a {@code Retry-After}
 *       (seconds or an HTTP date) says when.
 *   <li>3xx (redirects are not followed: a signed POST is not re-sent elsewhere), 401, 403, 404,
 *       410: a configuration error, final at once and escalated: someone must fix the URL or the
 *       credentials, and retrying for hours would only hide that.
 *   <li>any other 4xx: the receiver refuses this message for good; final at once.
 * </ul>
 */
final class HttpDelivery {

    private static final Pattern SECONDS = Pattern.compile("\\d{1,9}");

    private HttpDelivery() {
    }

    /** HTTP/1.1 (no h2c upgrade dance with a plain web framework), a connect timeout, no redirects. */
    static HttpClient client(Duration timeout) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * Sends {@code request} (which carries {@code timeout} for its answer) and checks the answer.
     * The request's timeout ends when the headers arrive; the whole exchange, a body trickling in
     * included, is cut off at twice the timeout.
     */
    static void send(HttpClient http, HttpRequest request, Duration timeout, String receiver) throws Exception {
        CompletableFuture<HttpResponse<Void>> exchange = http.sendAsync(request, HttpResponse.BodyHandlers.discarding());
        HttpResponse<Void> response;
        try {
            response = exchange.get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            exchange.cancel(true);
            throw e;
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw new NotificationChannel.RetryLater(receiver + " did not answer within " + timeout.multipliedBy(2).toSeconds()
                    + " s", null);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException) {
                throw new NotificationChannel.RetryLater(receiver + " unreachable: "
                        + (cause.getMessage() == null ? cause.toString() : cause.getMessage()), null);
            }
            throw e;
        }
        check(receiver, response.statusCode(), response.headers().firstValue("Retry-After"), Instant.now());
    }

    /** Throws unless {@code status} means delivered; see the class comment for the table. */
    static void check(String receiver, int status, Optional<String> retryAfter, Instant now)
            throws NotificationChannel.Undeliverable, NotificationChannel.RetryLater {
        if (status >= 200 && status < 300) {
            return;
        }
        String answered = receiver + " answered HTTP " + status;
        if (status >= 300 && status < 400) {
            throw new NotificationChannel.Undeliverable(Undelivered.Cause.CONFIGURATION,
                    answered + " (a redirect, not followed: configure the URL it points to)");
        }
        switch (status) {
            case 401, 403 -> throw new NotificationChannel.Undeliverable(Undelivered.Cause.CONFIGURATION,
                    answered + " (credentials refused: check the secret or token)");
            case 404, 410 -> throw new NotificationChannel.Undeliverable(Undelivered.Cause.CONFIGURATION,
                    answered + " (no such endpoint: check the URL)");
            case 408, 425, 429 -> throw new NotificationChannel.RetryLater(answered, retryAfter(retryAfter, now).orElse(null));
            default -> {
                if (status >= 400 && status < 500) {
                    throw new NotificationChannel.Undeliverable(Undelivered.Cause.REJECTED, answered);
                }
                throw new NotificationChannel.RetryLater(answered, retryAfter(retryAfter, now).orElse(null));
            }
        }
    }

    /** A {@code Retry-After} value (RFC 9110: delay in seconds, or an HTTP date) as a wait from {@code now}. */
    static Optional<Duration> retryAfter(Optional<String> header, Instant now) {
        if (header.isEmpty()) {
            return Optional.empty();
        }
        String value = header.get().trim();
        if (SECONDS.matcher(value).matches()) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
        }
        try {
            Duration wait = Duration.between(now, ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
