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
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiPredicate;
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
 * heartbeats keep it alive and notice a reader that is gone ({@link EventStream}).
 *
 * <p>And how much of the hub's memory one request may take ({@link Sizes}): a header block over
 * {@code maxHeaderBytes} is answered 431 (a request line over {@value #MAX_REQUEST_LINE_BYTES}
 * bytes, 414); a body over {@code maxBodyBytes} (every route but uploads) or {@code maxUploadBytes}
 * (routes taking uploads, {@link Route#upload}) is answered 413 as soon as its head says so, or its
 * bytes pass the limit, before it is buffered; and uploads together hold at most
 * {@code uploadBudgetBytes} (each counted at its Content-Length, or the upload limit without one
 * until it is answered): one more is answered 503 with a Retry-After.
 *
 * <p>The one place that refuses HTTP connections and requests for what they hold: each refusal
 * gets a counter ({@code hub_http_connections_refused_total{reason}},
 * {@code hub_http_connections_closed_total{reason}}, {@code hub_http_requests_refused_total{reason}})
 * and a rate-limited log line.
 */
public final class HttpLimits {

    private static final Logger log = LoggerFactory.getLogger(HttpLimits.class);

    /** Netty's default, and more than any URL the console or the API makes. */
    static final int MAX_REQUEST_LINE_BYTES = 4096;
    /** How long a client refused for the upload budget is asked to wait. */
    private static final int UPLOAD_RETRY_AFTER_S = 5;

    /**
     * @param maxHeaderBytes   the header block of one request
     * @param maxBodyBytes     a body of a route that takes no uploads
     * @param maxUploadBytes   a body of a route that takes uploads
     * @param uploadBudgetBytes every upload being received or handled, together
     */
    public record Sizes(int maxHeaderBytes, int maxBodyBytes, int maxUploadBytes, long uploadBudgetBytes) {
    }

    private final ConnectionLimit connections;
    private final Duration idle;
    private final Duration request;
    private final long tickMs;
    private final MeterRegistry registry;
    private final LogLimiter limiter = new LogLimiter(log, 10, TimeUnit.SECONDS);
    private final Sizes sizes;
    private final BiPredicate<HttpMethod, String> takesUploads;
    /** Bytes of uploads admitted and not answered yet, all connections together. */
    private final AtomicLong uploading = new AtomicLong();

    /**
     * @param perAddress   0 for no per-address limit (behind a reverse proxy every client has its address)
     * @param takesUploads whether the route of a method and URI takes uploads ({@link Router#takesUploads})
     */
    public HttpLimits(int maxConnections, int perAddress, Duration idle, Duration request, Sizes sizes,
                      BiPredicate<HttpMethod, String> takesUploads, MeterRegistry registry) {
        this.sizes = sizes;
        this.takesUploads = takesUploads;
        this.connections = new ConnectionLimit("http", maxConnections, perAddress, registry);
        this.idle = idle;
        this.request = request;
        this.tickMs = Math.max(100, Math.min(1000, Math.min(idle.toMillis(), request.toMillis()) / 4));
        this.registry = registry;
        io.micrometer.core.instrument.Gauge.builder("hub.http.upload.bytes", uploading, AtomicLong::get)
                .description("bytes of uploads being received or handled, counted against http.upload-budget-bytes")
                .register(registry);
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

    /** The codec, with the header limits. */
    HttpServerCodec codec() {
        return new HttpServerCodec(MAX_REQUEST_LINE_BYTES, sizes.maxHeaderBytes(), 8192);
    }

    /** The aggregator: the upload limit is its bound, and {@link BodyGuard} refuses first what is over its route's. */
    HttpObjectAggregator aggregator() {
        return new HttpObjectAggregator(Math.max(sizes.maxBodyBytes(), sizes.maxUploadBytes()));
    }

    /** One connection's size guard, between the codec and the aggregator. */
    BodyGuard bodyGuard() {
        return new BodyGuard();
    }

    private void refused(Channel ch, String reason, HttpResponseStatus status, String message, Map<String, String> headers) {
        registry.counter("hub.http.requests.refused", "reason", reason).increment();
        limiter.warn("request|" + reason, "HTTP request from {} refused: {}", ch.remoteAddress(), message);
        FullHttpResponse res = errorResponse(status, message);
        headers.forEach((name, value) -> res.headers().set(name, value));
        ch.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * Refuses a request whose head is too large, or whose body is larger than its route takes, and
     * keeps the upload budget: answers at the head when the head says enough, else when the bytes
     * pass the limit, and then closes (the rest of the body is never read). A budget reservation is
     * given back when the answer has been written, or the connection closes.
     */
    final class BodyGuard extends ChannelDuplexHandler {
        private long limit;
        private long received;
        private long reserved;
        private boolean discarding;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (discarding) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof HttpRequest head) {
                if (tooLarge(ctx, head)) {
                    ReferenceCountUtil.release(msg);
                    discarding = true;
                    return;
                }
            }
            if (msg instanceof HttpContent content) {
                received += content.content().readableBytes();
                if (received > limit) {
                    ReferenceCountUtil.release(msg);
                    discarding = true;
                    refused(ctx.channel(), "body_too_large", HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                            "the request body is larger than " + limit + " bytes, the most this route takes", Map.of());
                    return;
                }
            }
            ctx.fireChannelRead(msg);
        }

        /** Checks a request's head; true when it was refused. */
        private boolean tooLarge(ChannelHandlerContext ctx, HttpRequest head) {
            Channel ch = ctx.channel();
            Throwable failure = head.decoderResult().cause();
            if (failure instanceof TooLongHttpHeaderException) {
                refused(ch, "header_too_large", HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                        "the request's headers are larger than " + sizes.maxHeaderBytes() + " bytes", Map.of());
                return true;
            }
            if (failure instanceof TooLongHttpLineException) {
                refused(ch, "request_line_too_long", HttpResponseStatus.REQUEST_URI_TOO_LONG,
                        "the request line is longer than " + MAX_REQUEST_LINE_BYTES + " bytes", Map.of());
                return true;
            }
            if (failure != null) {
                limit = Long.MAX_VALUE; // a malformed request: the API answers it 400
                return false;
            }
            boolean upload = takesUploads.test(head.method(), head.uri());
            limit = upload ? sizes.maxUploadBytes() : sizes.maxBodyBytes();
            received = 0;
            long declared = HttpUtil.getContentLength(head, -1L);
            if (declared > limit) {
                refused(ch, "body_too_large", HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                        "the request body of " + declared + " bytes is larger than " + limit + " bytes, the most this route takes",
                        Map.of());
                return true;
            }
            if (upload) {
                long want = declared >= 0 ? declared : limit;
                if (uploading.addAndGet(want) > sizes.uploadBudgetBytes()) {
                    uploading.addAndGet(-want);
                    refused(ch, "upload_budget", HttpResponseStatus.SERVICE_UNAVAILABLE,
                            "the hub is receiving too many uploads at once; retry shortly",
                            Map.of(HttpHeaderNames.RETRY_AFTER.toString(), Integer.toString(UPLOAD_RETRY_AFTER_S)));
                    return true;
                }
                release();
                reserved = want;
            }
            return false;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (reserved > 0 && msg instanceof LastHttpContent) {
                promise = promise.unvoid();
                promise.addListener(f -> release());
            }
            ctx.write(msg, promise);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            release();
            ctx.fireChannelInactive();
        }

        private void release() {
            if (reserved > 0) {
                uploading.addAndGet(-reserved);
                reserved = 0;
            }
        }
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
