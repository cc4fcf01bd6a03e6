package org.communityguard.hub.notify;

/**
 * One message to one recipient over one channel, as queued in {@code notification_outbox}.
 *
 * @param recipient an address in the channel's terms: a URL (webhook), an e-mail address, a phone number
 * @param body      plain text for people (e-mail, SMS)
 * @param payload   JSON for machines (webhook)
 */
public record Notification(long id, Long incidentId, String event, String channel, String recipient,
                           String subject, String body, String payload) {
}
