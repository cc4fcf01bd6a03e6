package org.communityguard.hub.net;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many connections one server holds open, in total and per client address. A connection is
 * admitted by its initializer before any handler sees a byte, and counted until it closes.
 * What a refused connection is told is the protocol's business (HTTP 503, an uplink close);
 * this class only counts ({@code hub_connections_open{server}}) and decides.
 */
public final class ConnectionLimit {

    /** Whether a new connection may stay. */
    public enum Verdict {
        ADMITTED, TOO_MANY_CONNECTIONS, TOO_MANY_FROM_ADDRESS
    }

    private final int max;
    private final int perAddress;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> byAddress = new ConcurrentHashMap<>();

    /**
     * @param server     its name in the gauge ("http", "uplink")
     * @param perAddress at most this many from one address; 0 for no such limit
     */
    public ConnectionLimit(String server, int max, int perAddress, MeterRegistry registry) {
        this.max = max;
        this.perAddress = perAddress;
        Gauge.builder("hub.connections.open", open, AtomicInteger::get).tag("server", server)
                .description("connections open now, by server").register(registry);
    }

    /** Counts the connection in, until it closes; or says why it may not stay (then it is not counted). */
    public Verdict admit(Channel ch) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            return Verdict.TOO_MANY_CONNECTIONS;
        }
        InetAddress address = perAddress > 0 && ch.remoteAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
        if (address != null) {
            int[] fromAddress = new int[1];
            byAddress.compute(address, (a, c) -> {
                AtomicInteger count = c == null ? new AtomicInteger() : c;
                fromAddress[0] = count.incrementAndGet();
                return count;
            });
            if (fromAddress[0] > perAddress) {
                release(address);
                open.decrementAndGet();
                return Verdict.TOO_MANY_FROM_ADDRESS;
            }
        }
        ch.closeFuture().addListener(f -> {
            if (address != null) {
                release(address);
            }
            open.decrementAndGet();
        });
        return Verdict.ADMITTED;
    }

    private void release(InetAddress address) {
        byAddress.computeIfPresent(address, (a, c) -> c.decrementAndGet() == 0 ? null : c);
    }
}
