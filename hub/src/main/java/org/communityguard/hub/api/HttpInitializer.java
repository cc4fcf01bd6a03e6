package org.communityguard.hub.api;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;

/**
 * The HTTP pipeline: codec -> keep-alive -> aggregator (bounded body size; larger bodies are
 * answered 413 by the aggregator itself) -> {@link ApiHandler}.
 */
public final class HttpInitializer extends ChannelInitializer<SocketChannel> {

    static final String CODEC = "http-codec";
    static final String KEEP_ALIVE = "http-keep-alive";
    static final String AGGREGATOR = "http-aggregator";
    static final String API = "api";

    /** Large enough for a resident's photo report (5 MB) plus form overhead. */
    static final int MAX_BODY_BYTES = 6 * 1024 * 1024;

    private final ApiHandler api;

    public HttpInitializer(ApiHandler api) {
        this.api = api;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        p.addLast(CODEC, new HttpServerCodec());
        p.addLast(KEEP_ALIVE, new HttpServerKeepAliveHandler());
        p.addLast(AGGREGATOR, new HttpObjectAggregator(MAX_BODY_BYTES));
        p.addLast(API, api);
    }
}
