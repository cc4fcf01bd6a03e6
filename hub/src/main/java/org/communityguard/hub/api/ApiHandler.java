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
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.communityguard.hub.auth.Principal;
import org.communityguard.hub.auth.Tokens;
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
    private final Tokens tokens;
    private final ExecutorService executor;
    private final ObjectMapper json;
    private final MeterRegistry registry;

    public ApiHandler(Router router, Tokens tokens, ExecutorService executor, ObjectMapper json, MeterRegistry registry) {
        this.router = router;
        this.tokens = tokens;
        this.executor = executor;
        this.json = json;
        this.registry = registry;
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
        long start = System.nanoTime();
        try {
            executor.execute(() -> {
                Response response = run(match, new Request(req.method(), uri.path(), match.params(), uri.parameters(),
                        headers, body, null, json));
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
        try {
            if (!route.isPublic()) {
                Principal who = authenticate(request);
                if (!route.roles().contains(who.role())) {
                    throw HttpError.forbidden("role " + who.role().wireName() + " may not " + request.method()
                            + " " + route.pattern());
                }
                request = new Request(request.method(), request.path(), request.pathParams(), request.query(),
                        request.headers(), request.body(), who, json);
            }
            return route.handler().handle(request);
        } catch (HttpError e) {
            return error(e.status(), e.getMessage());
        } catch (Exception e) {
            String id = UUID.randomUUID().toString().substring(0, 8);
            log.error("request {} {} failed (error id {})", request.method(), request.path(), id, e);
            return error(500, "internal error " + id + "; the hub log has the details");
        }
    }

    private Principal authenticate(Request request) throws Exception {
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw HttpError.unauthorized("a bearer token is required: POST /api/auth/token first");
        }
        Optional<Principal> who = tokens.resolve(header.substring(7).trim());
        return who.orElseThrow(() -> HttpError.unauthorized("the token is unknown or expired"));
    }

    Response error(int status, String message) {
        try {
            return Response.json(status, json.writeValueAsBytes(Map.of("error", message)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void write(ChannelHandlerContext ctx, Response r, boolean keepAlive) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
                Unpooled.wrappedBuffer(r.body()));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        res.headers().set("X-Content-Type-Options", "nosniff");
        if (r.status() == 401) {
            res.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
        }
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
