package org.communityguard.hub.api;

import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The CSRF rule: a request authenticated by the session cookie that can change state (any method
 * but GET, HEAD, OPTIONS) must carry the session's synchronizer token in {@code X-CSRF-Token}.
 * A cross-site page can make the browser send the cookie (SameSite=Strict aside) but cannot read
 * the token, nor set a custom header without a CORS preflight the hub never grants. Bearer-token
 * clients are exempt: a token is never sent by the browser on its own.
 */
public final class Csrf {

    public static final String HEADER = "X-CSRF-Token";

    private Csrf() {
    }

    public static boolean needsToken(HttpMethod method) {
        return !(HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.OPTIONS.equals(method));
    }

    /** Constant-time comparison (for tokens of equal length, which all of ours are). */
    public static boolean matches(String expected, String presented) {
        if (expected == null || presented == null) {
            return false;
        }
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }
}
