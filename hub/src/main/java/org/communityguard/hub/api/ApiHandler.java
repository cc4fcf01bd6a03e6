package org.communityguard.hub.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.communityguard.hub.auth.ApiKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an HTTP request into a routed {@link Request}, runs the handler off the event loop
 * (handlers talk to the database), and writes the {@link Response}. Every error leaves here
 * as JSON {@code {"error": "..."}}: this is the one place that maps failures to statuses.
 */
@ChannelHandler.Sharable
public final class ApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);

    private final Router router;
    private final Authenticator authenticator;
    private final KeyAccess keyAccess;
    private final ExecutorService executor;
    private final ObjectMapper json;
    private final MeterRegistry registry;
    private final boolean trustProxy;

    /** @param trustProxy take the client address and scheme from X-Forwarded-For/-Proto ({@link Peer}) */
    public ApiHandler(Router router, Authenticator authenticator, KeyAccess keyAccess, ExecutorService executor,
                      ObjectMapper json, MeterRegistry registry, boolean trustProxy) {
        this.router = router;
        this.authenticator = authenticator;
        this.keyAccess = keyAccess;
        this.executor = executor;
        this.json = json;
        this.registry = registry;
        this.trustProxy = trustProxy;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (req.decoderResult().isFailure()) {
            write(ctx, error(400, "malformed HTTP request"), false);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(req.uri());
        Object routed = router.route(req.method(), uri.path());
        if (routed instanceof Router.Miss miss) {
            write(ctx, miss.pathKnown()
                    ? error(405, req.method() + " is not allowed here; allowed: " + String.join(", ", miss.allowed()))
                    : error(404, "no such endpoint: " + uri.path()), keepAlive);
            return;
        }
        Router.Match match = (Router.Match) routed;
        byte[] body = ByteBufUtil.getBytes(req.content());
        var headers = req.headers().copy();
        Peer peer = Peer.of(socketAddress(ctx.channel().remoteAddress()), ctx.pipeline().get(SslHandler.class) != null,
                headers, trustProxy);
        long start = System.nanoTime();
        try {
            executor.execute(() -> {
                Response response = run(match, new Request(req.method(), uri.path(), match.params(), uri.parameters(),
                        headers, body, null, json, peer, null));
                Timer.builder("hub.http.requests").tag("method", req.method().name())
                        .tag("route", match.route().pattern()).tag("status", Integer.toString(response.status()))
                        .register(registry).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                ctx.executor().execute(() -> write(ctx, response, keepAlive));
            });
        } catch (RejectedExecutionException e) {
            write(ctx, error(503, "the hub is overloaded; retry shortly"), false);
        }
    }

    private Response run(Router.Match match, Request request) {
        Route route = match.route();
        ApiKeys.Key key = null;
        Response response;
        try {
            if (!route.isPublic()) {
                Authenticator.Caller caller = authenticator.authenticate(request.method(), request.headers());
                key = caller.key();
                if (key != null) {
                    keyAccess.admit(route, key);
                } else if (!route.roles().contains(caller.principal().role())) {
                    throw HttpError.forbidden("role " + caller.principal().role().wireName() + " may not "
                            + request.method() + " " + route.pattern());
                }
                request = new Request(request.method(), request.path(), request.pathParams(), request.query(),
                        request.headers(), request.body(), caller.principal(), json, request.peer(), caller.credential());
            }
            response = route.handler().handle(request);
        } catch (Exception e) {
            response = failure(request, e);
        }
        if (key != null) {
            try {
                // Every use of a key is in the audit log before its answer leaves.
                keyAccess.record(key, request, route, response.status());
            } catch (Exception e) {
                response = failure(request, e);
            }
        }
        return response;
    }

    private Response failure(Request request, Exception failure) {
        if (failure instanceof HttpError e) {
            Response r = error(e.status(), e.getMessage());
            for (var h : e.headers().entrySet()) {
                r = r.withHeader(h.getKey(), h.getValue());
            }
            return r;
        }
        String id = UUID.randomUUID().toString().substring(0, 8);
        log.error("request {} {} failed (error id {})", request.method(), request.path(), id, failure);
        return error(500, "internal error " + id + "; the hub log has the details");
    }

    private static String socketAddress(SocketAddress address) {
        return address instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : String.valueOf(address);
    }

    Response error(int status, String message) {
        try {
            return Response.json(status, json.writeValueAsBytes(Map.of("error", message)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void write(ChannelHandlerContext ctx, Response r, boolean keepAlive) {
        if (r.stream() != null && r.status() == 200) {
            // A stream: the head now (chunked, never cached), then the stream writes the body.
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
            head.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
            head.headers().set("X-Content-Type-Options", "nosniff");
            head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            r.headers().forEach((name, value) -> head.headers().set(name, value));
            HttpUtil.setTransferEncodingChunked(head, true);
            ctx.writeAndFlush(head);
            r.stream().start(ctx);
            return;
        }
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
                Unpooled.wrappedBuffer(r.body()));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        res.headers().set("X-Content-Type-Options", "nosniff");
        if (r.status() == 401) {
            res.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
        }
        r.headers().forEach((name, value) -> res.headers().add(name, value));
        if (keepAlive) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(res);
        } else {
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("HTTP connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
