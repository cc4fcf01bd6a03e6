package org.communityguard.edge.device;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commands waiting for their device. A command stays pending until the device acknowledges it
 * with the event {@code {"event": "command_ack", "id": "..."}}, its time to live runs out, or
 * newer commands push it out (at most {@code maxPendingPerDevice} per device, oldest dropped:
 * the latest lamp or door state is the one that matters).
 *
 * <p>Transports listen: the MQTT listener publishes each queued command on
 * {@code devices/{id}/command}; the CoAP server serves the pending list on
 * {@code GET /commands/{id}} and notifies its observers. A command is offered on both, since the
 * gateway does not need to know which transport a device uses: nobody subscribes to the MQTT
 * topic of a CoAP device, and an MQTT device never asks the CoAP server.
 *
 * <p>The time to live keeps a stale command from being carried out long after the situation
 * that caused it (a door released for an evacuation hours ago).
 */
public final class DeviceCommands {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceCommands.class);

    /** Told about changes; called outside any lock, on the thread that made the change. */
    public interface Listener {
        /** A command was queued: push it now if the transport can. */
        default void queued(PendingCommand command) {
        }

        /** The pending list of a device changed: a command was queued or acknowledged. */
        default void changed(String deviceId) {
        }
    }

    private final int maxPendingPerDevice;
    private final long ttlMs;
    private final Clock clock;
    private final Map<String, Counter> sent = new HashMap<>();
    private final Map<String, ArrayDeque<PendingCommand>> pending = new HashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    // A per-start prefix keeps ids unique across restarts: an acknowledgement of a command from
    // before a restart must not remove a new command that happens to reuse its number.
    private final String idPrefix = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36, 36L * 36 * 36 * 36 * 36 * 36), 36);
    private final AtomicLong nextId = new AtomicLong(1);

    public DeviceCommands(int maxPendingPerDevice, Duration ttl, Clock clock, MeterRegistry registry) {
        if (maxPendingPerDevice < 1) {
            throw new IllegalArgumentException("maxPendingPerDevice must be positive: " + maxPendingPerDevice);
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive: " + ttl);
        }
        this.maxPendingPerDevice = maxPendingPerDevice;
        this.ttlMs = ttl.toMillis();
        this.clock = clock;
        for (String cmd : List.of("lamp", "door", "siren")) {
            sent.put(cmd, Counter.builder("edge_commands_sent_total")
                    .description("Commands queued for devices, by command")
                    .tag("cmd", cmd)
                    .register(registry));
        }
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    public void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    /** Queues a command for a device and hands it to the transports. */
    public PendingCommand send(String deviceId, DeviceCommand command) {
        if (!DeviceIds.isValid(deviceId)) {
            throw new IllegalArgumentException("not a device id: " + DeviceIds.printable(deviceId));
        }
        String id = idPrefix + "-" + Long.toString(nextId.getAndIncrement(), 36);
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("cmd", command.cmd());
        command.writeFields(body);
        body.put("id", id);
        PendingCommand queued = new PendingCommand(id, deviceId, command.cmd(), body, clock.millis());
        PendingCommand dropped = null;
        synchronized (this) {
            ArrayDeque<PendingCommand> queue = pending.computeIfAbsent(deviceId, d -> new ArrayDeque<>());
            expire(queue, queued.queuedAt());
            if (queue.size() >= maxPendingPerDevice) {
                dropped = queue.pollFirst();
            }
            queue.addLast(queued);
        }
        if (dropped != null) {
            LOG.warn("device {} has {} unacknowledged commands: dropped the oldest, {} {}", deviceId,
                    maxPendingPerDevice, dropped.cmd(), dropped.id());
        }
        sent.get(command.cmd()).increment();
        LOG.info("command {} {} queued for device {}", command.cmd(), id, deviceId);
        for (Listener listener : listeners) {
            try {
                listener.queued(queued);
                listener.changed(deviceId);
            } catch (RuntimeException e) {
                LOG.error("command listener failed for {} {}", deviceId, id, e);
            }
        }
        return queued;
    }

    /** The commands a device has not acknowledged yet, oldest first. */
    public List<PendingCommand> pending(String deviceId) {
        synchronized (this) {
            ArrayDeque<PendingCommand> queue = pending.get(deviceId);
            if (queue == null) {
                return List.of();
            }
            expire(queue, clock.millis());
            if (queue.isEmpty()) {
                pending.remove(deviceId);
                return List.of();
            }
            return List.copyOf(queue);
        }
    }

    public boolean isPending(String deviceId, String commandId) {
        return pending(deviceId).stream().anyMatch(command -> command.id().equals(commandId));
    }

    /** Removes a command the device acknowledged; false when it was not pending (already removed, expired, unknown). */
    public boolean acknowledge(String deviceId, String commandId) {
        boolean removed;
        synchronized (this) {
            ArrayDeque<PendingCommand> queue = pending.get(deviceId);
            removed = queue != null && queue.removeIf(command -> command.id().equals(commandId));
            if (queue != null && queue.isEmpty()) {
                pending.remove(deviceId);
            }
        }
        if (removed) {
            LOG.info("device {} acknowledged command {}", deviceId, commandId);
            for (Listener listener : listeners) {
                try {
                    listener.changed(deviceId);
                } catch (RuntimeException e) {
                    LOG.error("command listener failed for {} {}", deviceId, commandId, e);
                }
            }
        }
        return removed;
    }

    private void expire(ArrayDeque<PendingCommand> queue, long now) {
        for (Iterator<PendingCommand> it = queue.iterator(); it.hasNext(); ) {
            PendingCommand command = it.next();
            if (now - command.queuedAt() >= ttlMs) {
                it.remove();
                LOG.warn("command {} {} for device {} expired unacknowledged", command.cmd(), command.id(), command.deviceId());
            }
        }
    }
}
