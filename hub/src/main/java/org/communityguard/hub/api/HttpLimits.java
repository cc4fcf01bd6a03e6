package org.communityguard.hub.api;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.communityguard.hub.ingest.LogLimiter;
import org.communityguard.hub.net.ConnectionLimit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an HTTP client may hold of the hub: a number of connections (in total and per address,
 * answered 503 and closed beyond), a connection without a request for {@code idle} (closed), and
 * a request that takes longer than {@code request} to arrive from its first byte to its last
 * (answered 408 and closed: a slowloris client cannot hold a connection by sending a header a
 * minute). A live event stream is exempt from both timeouts once its response has begun: its
 * heartbeats keep it alive and notice a reader that is gone ({@link EventStream}). The one place
 * that closes HTTP connections for holding on: each gets a counter
 * ({@code hub_http_connections_refused_total{reason}}, {@code hub_http_connections_closed_total{reason}})
 * and a rate-limited log line.
 */
public final class HttpLimits {

    private static final Logger log = LoggerFactory.getLogger(HttpLimits.class);

    private final ConnectionLimit connections;
    private final Duration idle;
    private final Duration request;
    private final long tickMs;
    private final MeterRegistry registry;
    private final LogLimiter limiter = new LogLimiter(log, 10, TimeUnit.SECONDS);

    /** @param perAddress 0 for no per-address limit (behind a reverse proxy every client has its address) */
    public HttpLimits(int maxConnections, int perAddress, Duration idle, Duration request, MeterRegistry registry) {
        this.connections = new ConnectionLimit("http", maxConnections, perAddress, registry);
        this.idle = idle;
        this.request = request;
        this.tickMs = Math.max(100, Math.min(1000, Math.min(idle.toMillis(), request.toMillis()) / 4));
        this.registry = registry;
    }

    /** Counts the connection in; false when it was refused (then it is answered 503 and closed). */
    boolean admit(Channel ch) {
        ConnectionLimit.Verdict verdict = connections.admit(ch);
        if (verdict == ConnectionLimit.Verdict.ADMITTED) {
            return true;
        }
        String reason = verdict == ConnectionLimit.Verdict.TOO_MANY_FROM_ADDRESS ? "too_many_from_address" : "too_many_connections";
        String message = verdict == ConnectionLimit.Verdict.TOO_MANY_FROM_ADDRESS
                ? "too many connections from your address; close some and retry"
                : "too many connections to the hub; retry shortly";
        registry.counter("hub.http.connections.refused", "reason", reason).increment();
        limiter.warn("refused|" + reason, "HTTP connection from {} refused: {}", ch.remoteAddress(), reason);
        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                ctx.writeAndFlush(errorResponse(HttpResponseStatus.SERVICE_UNAVAILABLE, message))
                        .addListener(ChannelFutureListener.CLOSE);
            }
        });
        return false;
    }

    /** The two handlers of one connection's guard: before the codec (bytes) and after it (messages). */
    Guard guard() {
        return new Guard();
    }

    private void closed(Channel ch, String reason) {
        registry.counter("hub.http.connections.closed", "reason", reason).increment();
        limiter.warn("closed|" + reason, "HTTP connection from {} closed: {}", ch.remoteAddress(), reason);
    }

    /** A raw HTTP/1.1 error with a JSON body and {@code Connection: close}, for a connection about to close. */
    static FullHttpResponse errorResponse(HttpResponseStatus status, String message) {
        byte[] body = ("{\"error\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return res;
    }

    /**
     * One connection's clock: idle (since it opened or its last answer), receiving (since the first
     * byte of a request), waiting for the hub's answer (no timeout: the database timeouts bound
     * that), or streaming (no timeout). All on the connection's event loop.
     */
    final class Guard {
        private boolean receiving;
        private long since = System.nanoTime();
        private int unanswered;
        private boolean streaming;
        private ChannelHandlerContext messages;
        private ScheduledFuture<?> tick;

        /** Before the codec: the first byte of a request starts its clock. */
        final ChannelInboundHandlerAdapter bytes = new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                tick = ctx.executor().scheduleAtFixedRate(Guard.this::check, tickMs, tickMs, TimeUnit.MILLISECONDS);
                ctx.fireChannelActive();
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (!receiving && msg instanceof ByteBuf b && b.isReadable()) {
                    receiving = true;
                    since = System.nanoTime();
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                stop();
                ctx.fireChannelInactive();
            }
        };

        /** After the codec: a request's last part stops its clock; an answer's last part starts the idle one. */
        final ChannelDuplexHandler messageEvents = new ChannelDuplexHandler() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                messages = ctx;
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof LastHttpContent) {
                    receiving = false;
                    unanswered++;
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                if (msg instanceof HttpResponse head && !(msg instanceof FullHttpResponse)
                        && String.valueOf(head.headers().get(HttpHeaderNames.CONTENT_TYPE)).startsWith("text/event-stream")) {
                    stop();
                } else if (msg instanceof LastHttpContent) {
                    promise = promise.unvoid();
                    promise.addListener(f -> answered());
                }
                ctx.write(msg, promise);
            }
        };

        private void answered() {
            unanswered = Math.max(0, unanswered - 1);
            if (unanswered == 0 && !receiving) {
                since = System.nanoTime();
            }
        }

        private void stop() {
            streaming = true;
            if (tick != null) {
                tick.cancel(false);
            }
        }

        private void check() {
            if (streaming || messages == null) {
                return;
            }
            long elapsed = System.nanoTime() - since;
            Channel ch = messages.channel();
            if (receiving && elapsed > request.toNanos()) {
                stop();
                closed(ch, "request_timeout");
                messages.writeAndFlush(errorResponse(HttpResponseStatus.REQUEST_TIMEOUT,
                        "the request did not arrive within " + request.toSeconds() + " s")).addListener(ChannelFutureListener.CLOSE);
            } else if (!receiving && unanswered == 0 && elapsed > idle.toNanos()) {
                stop();
                closed(ch, "idle_timeout");
                ch.close();
            }
        }
    }
}
