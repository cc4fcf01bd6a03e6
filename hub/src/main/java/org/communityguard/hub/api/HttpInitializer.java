package org.communityguard.hub.api;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;

/**
 * The HTTP pipeline:
 * <pre>
 *   guard-bytes -> codec -> guard-messages -> keep-alive -> body-guard -> aggregator -> api
 * </pre>
 * The two guard handlers are one {@link HttpLimits.Guard}: the first sees a request's first byte
 * (so a request sent a byte a minute is timed from its start, before the codec has a message to
 * show), the second its last part and the answer's (between the codec and the keep-alive
 * handler, so it sees every response, the keep-alive handler's own included). The codec bounds the
 * request line and the headers, the body guard ({@link HttpLimits.BodyGuard}) answers what is over
 * those bounds or its route's body limit before the aggregator buffers a byte of it, and keeps the
 * upload budget; the aggregator's own bound is the largest upload. A connection over the
 * connection limits gets a 503 and no pipeline.
 */
public final class HttpInitializer extends ChannelInitializer<SocketChannel> {

    static final String GUARD_BYTES = "http-guard-bytes";
    static final String CODEC = "http-codec";
    static final String GUARD_MESSAGES = "http-guard-messages";
    static final String KEEP_ALIVE = "http-keep-alive";
    static final String BODY_GUARD = "http-body-guard";
    static final String AGGREGATOR = "http-aggregator";
    static final String API = "api";

    private final ApiHandler api;
    private final HttpLimits limits;

    public HttpInitializer(ApiHandler api, HttpLimits limits) {
        this.api = api;
        this.limits = limits;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        if (!limits.admit(ch)) {
            p.addFirst(CODEC, new HttpServerCodec());
            return;
        }
        HttpLimits.Guard guard = limits.guard();
        p.addLast(GUARD_BYTES, guard.bytes);
        p.addLast(CODEC, limits.codec());
        p.addLast(GUARD_MESSAGES, guard.messageEvents);
        p.addLast(KEEP_ALIVE, new HttpServerKeepAliveHandler());
        p.addLast(BODY_GUARD, limits.bodyGuard());
        p.addLast(AGGREGATOR, limits.aggregator());
        p.addLast(API, api);
    }
}
