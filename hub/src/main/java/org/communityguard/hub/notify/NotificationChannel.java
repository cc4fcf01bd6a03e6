package org.communityguard.hub.notify;

/**
 * A way to reach someone: webhook, e-mail, SMS gateway. {@link NotificationSender} calls
 * {@link #send} off every request and ingest path and records each attempt; an exception means
 * "try again later", {@link Undeliverable} means "retrying cannot help".
 */
public interface NotificationChannel {

    /** The channel's name in the outbox and the attempts log: {@code webhook}, {@code email}, {@code sms}. */
    String name();

    void send(Notification n) throws Exception;

    /** A failure that retrying will not fix (a 4xx answer, a malformed address). */
    final class Undeliverable extends Exception {
        public Undeliverable(String message) {
            super(message, null, false, false);
        }
    }
}
