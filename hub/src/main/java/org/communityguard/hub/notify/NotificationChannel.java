package org.communityguard.hub.notify;

import java.time.Duration;
import java.util.Optional;

/**
 * A way to reach someone: webhook, e-mail, SMS gateway. {@link NotificationSender} calls
 * {@link #send} off every request and ingest path, several at once, and records each attempt.
 * {@link RetryLater} or any other exception means "try again later" (within the notification's
 * retry budget); {@link Undeliverable} means "retrying cannot help". Every channel bounds an
 * attempt by its connect and read timeouts.
 */
public interface NotificationChannel {

    /** The channel's name in the outbox and the attempts log: {@code webhook}, {@code email}, {@code sms}. */
    String name();

    void send(Notification n) throws Exception;

    /** A failure that retrying will not fix: the configuration is wrong, or the receiver refuses the message. */
    final class Undeliverable extends Exception {
        private final Undelivered.Cause cause;

        public Undeliverable(Undelivered.Cause cause, String message) {
            super(message, null, false, false);
            this.cause = cause;
        }

        public Undelivered.Cause cause() {
            return cause;
        }
    }

    /** A failure that may pass; {@code retryAfter}: when the receiver said to come back (HTTP Retry-After), if it did. */
    final class RetryLater extends Exception {
        private final Duration retryAfter;

        public RetryLater(String message, Duration retryAfter) {
            super(message, null, false, false);
            this.retryAfter = retryAfter;
        }

        public Optional<Duration> retryAfter() {
            return Optional.ofNullable(retryAfter);
        }
    }
}
