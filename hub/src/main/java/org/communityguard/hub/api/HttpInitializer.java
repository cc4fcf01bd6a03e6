package org.communityguard.hub.api;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.ssl.SslContext;
import java.time.Duration;

/**
 * The HTTP pipeline:
 * <pre>
 *   [tls] -> guard-bytes -> codec -> [hsts] -> guard-messages -> keep-alive -> body-guard -> aggregator -> api
 * </pre>
 * With HTTPS ({@code http.tls-cert}) the connection starts with Netty's {@code SslHandler}, as the
 * uplink's does, and everything after it sees plain HTTP; a client speaking plain HTTP to the port
 * fails the handshake and is closed without an answer. Every response of a TLS connection then
 * says {@code Strict-Transport-Security}, written next to the codec so that no answer (the
 * limits' refusals included) leaves without it; the session cookie gets {@code Secure} from the
 * same {@code SslHandler} ({@link Peer}).
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

    static final String TLS = "http-tls";
    static final String HSTS = "http-hsts";
    static final String GUARD_BYTES = "http-guard-bytes";
    static final String CODEC = "http-codec";
    static final String GUARD_MESSAGES = "http-guard-messages";
    static final String KEEP_ALIVE = "http-keep-alive";
    static final String BODY_GUARD = "http-body-guard";
    static final String AGGREGATOR = "http-aggregator";
    static final String API = "api";

    /**
     * A year, as browsers and the HSTS preload list expect: once a browser has seen the hub over
     * HTTPS it never again tries plain HTTP for it (no {@code includeSubDomains}: the hub's domain
     * may have other hosts that are not ours to decide for).
     */
    static final String HSTS_VALUE = "max-age=" + Duration.ofDays(365).toSeconds();

    private final ApiHandler api;
    private final HttpLimits limits;
    private final SslContext tls;

    /** @param tls null for plain HTTP */
    public HttpInitializer(ApiHandler api, HttpLimits limits, SslContext tls) {
        this.api = api;
        this.limits = limits;
        this.tls = tls;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        if (!limits.admit(ch)) {
            p.addFirst(CODEC, new HttpServerCodec());
            addTls(p, ch);
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
        addTls(p, ch);
    }

    /** With HTTPS: TLS before everything (even a refusal is answered over TLS only), HSTS next to the codec. */
    private void addTls(ChannelPipeline p, SocketChannel ch) {
        if (tls != null) {
            p.addFirst(TLS, tls.newHandler(ch.alloc()));
            p.addAfter(CODEC, HSTS, Hsts.INSTANCE);
        }
    }

    /** Adds {@code Strict-Transport-Security} to every response head written through it. */
    @ChannelHandler.Sharable
    private static final class Hsts extends ChannelOutboundHandlerAdapter {

        static final Hsts INSTANCE = new Hsts();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof HttpResponse response) {
                response.headers().set("Strict-Transport-Security", HSTS_VALUE);
            }
            ctx.write(msg, promise);
        }
    }
}
