package org.communityguard.hub.api;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * The other end of an HTTP request: the client's address (what login limits count) and whether
 * the browser reached the hub over HTTPS (what makes session cookies {@code Secure}). Behind a
 * reverse proxy ({@code HUB_HTTP_TRUST_PROXY}) both come from the proxy's {@code X-Forwarded-For}
 * (its last entry: the address the proxy saw) and {@code X-Forwarded-Proto}; otherwise from the
 * connection itself.
 */
public record Peer(String address, boolean https) {

    public static Peer of(String socketAddress, boolean tls, HttpHeaders headers, boolean trustProxy) {
        if (!trustProxy) {
            return new Peer(socketAddress, tls);
        }
        String address = socketAddress;
        String forwardedFor = headers.get("X-Forwarded-For");
        if (forwardedFor != null && !forwardedFor.isBlank()) {
            String[] hops = forwardedFor.split(",");
            String last = hops[hops.length - 1].trim();
            if (!last.isEmpty() && last.length() <= 64) {
                address = last;
            }
        }
        String proto = headers.get("X-Forwarded-Proto");
        boolean https = tls || (proto != null && proto.trim().equalsIgnoreCase("https"));
        return new Peer(address, https);
    }
}
