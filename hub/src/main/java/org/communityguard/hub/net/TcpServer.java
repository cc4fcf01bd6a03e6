package org.communityguard.hub.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.BindException;
import java.net.InetSocketAddress;
import org.communityguard.hub.config.ConfigException;

/**
 * Bootstrap and lifecycle of one listening socket; what it speaks is the initializer's
 * business. The hub runs two: the gateway uplink (MQTT 5) and HTTP. They share event loops.
 */
public final class TcpServer implements AutoCloseable {

    private final String name;
    private final String portSetting;
    private final String host;
    private final int port;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ChannelInitializer<SocketChannel> initializer;
    private Channel serverChannel;

    /**
     * @param name        what it serves, for messages ("uplink", "HTTP")
     * @param portSetting the environment variable that moves it, named in the bind error
     */
    public TcpServer(String name, String portSetting, String host, int port, EventLoopGroup boss,
                     EventLoopGroup workers, ChannelInitializer<SocketChannel> initializer) {
        this.name = name;
        this.portSetting = portSetting;
        this.host = host;
        this.port = port;
        this.boss = boss;
        this.workers = workers;
        this.initializer = initializer;
    }

    /** Binds and returns the port listened on (useful with port 0). */
    public int start() {
        try {
            serverChannel = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 256)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(initializer)
                    .bind(host, port).sync().channel();
        } catch (Exception e) {
            // sync() rethrows the bind failure itself, so it can be named precisely.
            if (e instanceof BindException) {
                throw new ConfigException(name + " port " + port + " on " + host + " is already in use or not allowed ("
                        + e.getMessage() + "): set " + portSetting);
            }
            throw new ConfigException("cannot start the " + name + " server on " + host + ":" + port + ": " + e);
        }
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
    }
}
