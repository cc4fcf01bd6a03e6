package org.communityguard.hub.notify;

import java.util.Locale;

/**
 * A notification the hub has given up on, handed to the escalation that tells the next role of
 * the chain instead ({@code Escalator#undelivered}), in the transaction that records the last
 * attempt.
 *
 * @param level    the recipient's place in the escalation chain (0: responder, department, residents)
 * @param chases   the loop step the notification called someone to take ({@code acknowledge} for a
 *                 dispatch), or null: the escalation chases it too, and is moot once it is met
 * @param reason   what the last attempt answered, for people: "webhook answered HTTP 404"
 * @param attempts attempts made, the last included
 */
public record Undelivered(Notification notification, int level, String chases, Cause cause, String reason,
                          int attempts) {

    /** The timeline action that records it, and the event of the notifications that tell the next role. */
    public static final String EVENT = "notification_undeliverable";

    /** Why the hub stopped trying. */
    public enum Cause {
        /** Every attempt within the retry budget failed for a reason that might have passed. */
        BUDGET,
        /** The address, URL or credentials are wrong (HTTP 3xx, 401, 403, 404, 410; SMTP authentication). */
        CONFIGURATION,
        /** The receiver refuses this message for good (any other 4xx, SMTP 5xx, a malformed address). */
        REJECTED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
