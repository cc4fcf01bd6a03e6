package org.communityguard.hub.ingest;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The live uplink connection of each gateway: a newer connection takes over an older one. */
final class GatewaySessions {

    private final ConcurrentHashMap<String, Channel> channels = new ConcurrentHashMap<>();

    GatewaySessions(MeterRegistry registry) {
        Gauge.builder("hub.uplink.connections", channels, ConcurrentHashMap::size)
                .description("gateways connected to the uplink").register(registry);
    }

    /** Registers {@code ch} for the gateway; returns the connection it replaces, or null. */
    Channel attach(String gatewayId, Channel ch) {
        Channel old = channels.put(gatewayId, ch);
        return old == ch ? null : old;
    }

    void detach(String gatewayId, Channel ch) {
        channels.remove(gatewayId, ch);
    }

    /** The gateways with a live connection now. */
    Set<String> connected() {
        Set<String> ids = new HashSet<>();
        channels.forEach((id, ch) -> {
            if (ch.isActive()) {
                ids.add(id);
            }
        });
        return ids;
    }

    boolean isConnected(String gatewayId) {
        Channel ch = channels.get(gatewayId);
        return ch != null && ch.isActive();
    }
}
