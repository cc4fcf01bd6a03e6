package org.communityguard.hub.api;

import java.util.Map;

/** The one exception a handler throws to answer with an error; {@link ApiHandler} turns it into a JSON body. */
public final class HttpError extends RuntimeException {

    private final int status;
    private final Map<String, String> headers;

    public HttpError(int status, String message) {
        this(status, message, Map.of());
    }

    private HttpError(int status, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.headers = headers;
    }

    public int status() {
        return status;
    }

    /** Headers the error response carries (Retry-After). */
    public Map<String, String> headers() {
        return headers;
    }

    /** 429 with a Retry-After in whole seconds. */
    public static HttpError tooManyRequests(String message, long retryAfterSeconds) {
        return new HttpError(429, message, Map.of("Retry-After", Long.toString(retryAfterSeconds)));
    }

    public static HttpError badRequest(String message) {
        return new HttpError(400, message);
    }

    public static HttpError unauthorized(String message) {
        return new HttpError(401, message);
    }

    public static HttpError forbidden(String message) {
        return new HttpError(403, message);
    }

    public static HttpError notFound(String message) {
        return new HttpError(404, message);
    }
}
