package org.communityguard.hub.notify;

/** A channel and an address on it. */
public record Recipient(String channel, String address) {
}
