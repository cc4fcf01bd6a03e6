package org.communityguard.hub.api;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One browser's {@code text/event-stream}: takes over the HTTP connection after the response head
 * and writes the subscription's events as chunks, on the connection's event loop. Writes only
 * while the connection is writable (Netty's outbound watermarks), so a slow browser leaves its
 * events in the bounded subscription queue, not in hub memory without limit.
 *
 * <p>Every {@code heartbeat}: a comment line (keeps proxies and the browser from timing out;
 * a connection that stays unwritable for four beats is closed), and every fourth beat the
 * credential is checked again off the event loop: a session that ended ends its stream.
 */
final class EventStream extends ChannelInboundHandlerAdapter implements LiveEvents.Sink {

    private static final Logger log = LoggerFactory.getLogger(EventStream.class);

    static final String HANDLER_NAME = "live-events";
    /** What the browser waits before reconnecting (EventSource's retry field). */
    static final int RETRY_MS = 3000;
    private static final int BEATS_PER_CHECK = 4;
    private static final int MAX_UNWRITABLE_BEATS = 4;

    private final LiveEvents events;
    private final Duration heartbeat;
    private final Executor blocking;
    private final Callable<Boolean> stillValid;
    private final AtomicBoolean wakeScheduled = new AtomicBoolean();
    private volatile LiveEvents.Subscription subscription;
    private volatile ChannelHandlerContext ctx;
    private ScheduledFuture<?> beats;
    private int beat;
    private int unwritableBeats;
    private boolean closed;

    EventStream(LiveEvents events, Duration heartbeat, Executor blocking, Callable<Boolean> stillValid) {
        this.events = events;
        this.heartbeat = heartbeat;
        this.blocking = blocking;
        this.stillValid = stillValid;
    }

    void bind(LiveEvents.Subscription subscription) {
        this.subscription = subscription;
    }

    /** On the event loop, after the response head: join the pipeline and start writing. */
    void start(ChannelHandlerContext apiCtx) {
        if (!apiCtx.channel().isActive()) {
            events.unsubscribe(subscription);
            return;
        }
        apiCtx.pipeline().addLast(HANDLER_NAME, this);
        apiCtx.channel().closeFuture().addListener(f -> stop());
        write("retry: " + RETRY_MS + "\n\n");
        long ms = heartbeat.toMillis();
        beats = ctx.executor().scheduleAtFixedRate(this::heartbeat, ms, ms, TimeUnit.MILLISECONDS);
        drain();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void wake() {
        ChannelHandlerContext c = ctx;
        if (c != null && wakeScheduled.compareAndSet(false, true)) {
            c.executor().execute(() -> {
                wakeScheduled.set(false);
                drain();
            });
        }
    }

    @Override
    public void drop(String reason) {
        ChannelHandlerContext c = ctx;
        if (c != null) {
            c.executor().execute(() -> close(reason));
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            drain();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // A browser sends nothing more on an event stream; anything else is not ours to answer.
        io.netty.util.ReferenceCountUtil.release(msg);
    }

    private void drain() {
        if (closed) {
            return;
        }
        boolean wrote = false;
        while (ctx.channel().isWritable()) {
            LiveEvents.Event e = subscription.poll();
            if (e == null) {
                break;
            }
            ctx.write(chunk("id: " + subscription.id(e) + "\nevent: " + e.type() + "\ndata: " + e.data() + "\n\n"));
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
        }
    }

    private void heartbeat() {
        if (closed) {
            return;
        }
        if (!ctx.channel().isWritable()) {
            if (++unwritableBeats >= MAX_UNWRITABLE_BEATS) {
                close("not reading");
            }
            return;
        }
        unwritableBeats = 0;
        write(": keep-alive\n\n");
        if (++beat % BEATS_PER_CHECK == 0) {
            try {
                blocking.execute(() -> {
                    boolean valid;
                    try {
                        valid = stillValid.call();
                    } catch (Exception e) {
                        valid = true; // the database is down: keep the stream; the next check decides
                    }
                    if (!valid) {
                        ctx.executor().execute(() -> {
                            write("event: signed-out\ndata: {}\n\n");
                            close("credential ended");
                        });
                    }
                });
            } catch (RejectedExecutionException e) {
                // Busy: check at the next beat.
            }
        }
    }

    private void write(String text) {
        ctx.writeAndFlush(chunk(text));
    }

    private static DefaultHttpContent chunk(String text) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    private void close(String reason) {
        if (closed) {
            return;
        }
        log.debug("live stream to {} closed: {}", ctx.channel().remoteAddress(), reason);
        stop();
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
    }

    private void stop() {
        closed = true;
        events.unsubscribe(subscription);
        if (beats != null) {
            beats.cancel(false);
        }
    }
}
