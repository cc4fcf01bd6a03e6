package org.communityguard.hub.api;

import java.nio.charset.StandardCharsets;

/** A complete HTTP answer. */
public record Response(int status, String contentType, byte[] body) {

    public static Response json(int status, byte[] body) {
        return new Response(status, "application/json; charset=utf-8", body);
    }

    public static Response text(int status, String contentType, String body) {
        return new Response(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }
}
