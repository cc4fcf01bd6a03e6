package org.communityguard.edge.liveness;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.communityguard.edge.device.DeviceType;
import org.communityguard.edge.device.Flag;
import org.communityguard.edge.device.Kind;
import org.communityguard.edge.device.Reading;
import org.communityguard.edge.device.ReadingSink;
import org.communityguard.edge.site.Site;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which devices are alive (docs/uplink.md, "The gateway's own readings"). A device is offline
 * when it has sent nothing for {@code silentIntervals} of its reporting intervals (reason
 * {@code silent}, found by {@link #check()}) or when the broker delivers its will, status
 * {@code offline} (reason {@code will}, added to the device's own status reading here). The first
 * reading from an offline device is preceded by a status {@code online}. Each of these is a
 * {@code status} reading of the device, sent to the hub through the buffer.
 *
 * <p>Devices of the site file are watched from the start; devices not in it from their first
 * reading, up to {@value #MAX_DEVICES} of them, so made-up ids cannot grow the map without bound.
 */
public final class Liveness implements ReadingSink {

    private static final Logger log = LoggerFactory.getLogger(Liveness.class);
    static final int MAX_DEVICES = 20_000;

    private static final class State {
        final DeviceType type;
        final long intervalMs;
        final boolean provisioned;
        long lastHeard;
        boolean offline;

        State(DeviceType type, long intervalMs, boolean provisioned, long lastHeard) {
            this.type = type;
            this.intervalMs = intervalMs;
            this.provisioned = provisioned;
            this.lastHeard = lastHeard;
        }
    }

    private final ReadingSink next;
    private final Site site;
    private final int silentIntervals;
    private final Clock clock;
    private final Map<String, State> devices = new HashMap<>();
    private final Counter wentOffline;
    private final Counter cameBack;

    public Liveness(ReadingSink next, Site site, int silentIntervals, Clock clock, MeterRegistry registry) {
        this.next = next;
        this.site = site;
        this.silentIntervals = silentIntervals;
        this.clock = clock;
        long now = clock.millis();
        site.devices().values().forEach(d -> devices.put(d.id(), new State(d.type(), d.interval().toMillis(), true, now)));
        this.wentOffline = Counter.builder("edge_devices_went_offline_total")
                .description("Times a device was reported offline (silent or its will)").register(registry);
        this.cameBack = Counter.builder("edge_devices_came_back_total")
                .description("Times an offline device was heard again").register(registry);
        Gauge.builder("edge_devices_offline", this, Liveness::offlineCount)
                .description("Devices currently offline").register(registry);
    }

    @Override
    public CompletionStage<Admission> offer(Reading r) {
        if (r.type() == DeviceType.GATEWAY) {
            return next.offer(r);
        }
        long now = clock.millis();
        Reading online = null;
        Reading forward = r;
        synchronized (devices) {
            State s = devices.get(r.deviceId());
            if (s == null && devices.size() < MAX_DEVICES) {
                s = new State(r.type(), Site.defaultInterval(r.type()).toMillis(), false, now);
                devices.put(r.deviceId(), s);
            }
            if (s != null) {
                s.lastHeard = now;
                boolean saysOffline = r.kind() == Kind.STATUS && "offline".equals(r.data().path("status").asText());
                if (saysOffline) {
                    if (!s.offline) {
                        wentOffline.increment();
                    }
                    s.offline = true;
                    forward = withReason(r, "will");
                    log.info("device {} is offline (its will message)", r.deviceId());
                } else if (s.offline) {
                    s.offline = false;
                    cameBack.increment();
                    log.info("device {} is back online", r.deviceId());
                    if (r.kind() != Kind.STATUS) {
                        online = status(r.deviceId(), r.type(), !s.provisioned, now, "online", null);
                    }
                }
            }
        }
        if (online != null) {
            next.offer(online);
        }
        return next.offer(forward);
    }

    /** Reports devices silent for too long; the agent calls it every few seconds. */
    public void check() {
        long now = clock.millis();
        List<Reading> reports = new ArrayList<>();
        synchronized (devices) {
            devices.forEach((id, s) -> {
                if (!s.offline && now - s.lastHeard > silentIntervals * s.intervalMs) {
                    s.offline = true;
                    wentOffline.increment();
                    log.warn("device {} is offline: nothing heard for {} s ({} reporting intervals)", id,
                            (now - s.lastHeard) / 1000, silentIntervals);
                    reports.add(status(id, s.type, !s.provisioned, now, "offline", "silent"));
                }
            });
        }
        for (Reading report : reports) {
            next.offer(report).whenComplete((a, failure) -> {
                if (failure != null || a != Admission.ACCEPTED) {
                    log.error("offline report of {} not buffered: {}", report.deviceId(), failure != null ? failure : a);
                }
            });
        }
    }

    public int offlineCount() {
        synchronized (devices) {
            return (int) devices.values().stream().filter(s -> s.offline).count();
        }
    }

    private static Reading status(String device, DeviceType type, boolean unprovisioned, long now, String status, String reason) {
        ObjectNode data = JsonNodeFactory.instance.objectNode().put("status", status);
        if (reason != null) {
            data.put("reason", reason);
        }
        return new Reading(device, type, Kind.STATUS, now, null, null,
                unprovisioned ? Set.of(Flag.UNPROVISIONED) : Set.of(), data);
    }

    private static Reading withReason(Reading r, String reason) {
        ObjectNode data = r.data().deepCopy();
        data.put("reason", reason);
        return new Reading(r.deviceId(), r.type(), r.kind(), r.receivedAt(), r.deviceTs(), r.seq(), r.flags(), data);
    }
}
