package org.communityguard.hub.api;

import io.netty.channel.ChannelHandlerContext;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An HTTP answer: a complete body, or (when {@code stream} is set) a response head followed by
 * chunks that {@code stream} writes for as long as it likes (server-sent events).
 *
 * @param headers extra response headers (Set-Cookie, Retry-After, ...)
 */
public record Response(int status, String contentType, byte[] body, Map<String, String> headers, Stream stream) {

    /** Takes over the connection once the response head is written, on its event loop. */
    @FunctionalInterface
    public interface Stream {
        void start(ChannelHandlerContext ctx);
    }

    public Response(int status, String contentType, byte[] body) {
        this(status, contentType, body, Map.of(), null);
    }

    public Response {
        headers = Map.copyOf(headers);
    }

    public static Response json(int status, byte[] body) {
        return new Response(status, "application/json; charset=utf-8", body);
    }

    public static Response text(int status, String contentType, String body) {
        return new Response(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    public static Response stream(String contentType, Stream stream) {
        return new Response(200, contentType, new byte[0], Map.of(), stream);
    }

    public Response withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new Response(status, contentType, body, more, stream);
    }
}
