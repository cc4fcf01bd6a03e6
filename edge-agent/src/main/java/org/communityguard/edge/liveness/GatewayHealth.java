package org.communityguard.edge.liveness;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.communityguard.edge.buffer.UplinkBuffer;
import org.communityguard.edge.device.DeviceType;
import org.communityguard.edge.device.Kind;
import org.communityguard.edge.device.Reading;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's health report (docs/uplink.md): a {@code telemetry} reading of type
 * {@code gateway} with CPU, memory, disk, buffer depth and uplink state, put into the buffer
 * every {@code health.interval} like any routine telemetry.
 */
public final class GatewayHealth {

    private static final Logger log = LoggerFactory.getLogger(GatewayHealth.class);

    private final String gatewayId;
    private final UplinkBuffer buffer;
    private final BooleanSupplier uplinkConnected;
    private final Clock clock;
    private final long startedAt;

    public GatewayHealth(String gatewayId, UplinkBuffer buffer, BooleanSupplier uplinkConnected, Clock clock) {
        this.gatewayId = gatewayId;
        this.buffer = buffer;
        this.uplinkConnected = uplinkConnected;
        this.clock = clock;
        this.startedAt = clock.millis();
    }

    /** Measures now and buffers the report. */
    public void report() throws InterruptedException {
        Reading r = measure();
        buffer.offer(r).whenComplete((a, failure) -> {
            if (failure != null) {
                log.warn("health report not buffered: {}", failure.toString());
            }
        });
    }

    Reading measure() throws InterruptedException {
        long now = clock.millis();
        long oldest = buffer.oldestPendingRx();
        ObjectNode data = JsonNodeFactory.instance.objectNode()
                .put("cpu_pct", round(cpuPct()))
                .put("mem_used_pct", round(memUsedPct()))
                .put("disk_free_mb", diskFreeMb())
                .put("buffer_pending_readings", buffer.pendingReadings())
                .put("buffer_oldest_age_s", oldest == 0 ? 0 : Math.max(0, (now - oldest) / 1000))
                .put("buffer_disk_used_mb", round(buffer.usedBytes() / 1e6))
                .put("buffer_disk_budget_mb", buffer.budgetBytes() / 1_000_000)
                .put("buffer_dead_letter_readings", buffer.deadLetterReadings())
                .put("uplink_connected", uplinkConnected.getAsBoolean())
                .put("uptime_s", (now - startedAt) / 1000);
        return new Reading(gatewayId, DeviceType.GATEWAY, Kind.TELEMETRY, now, null, null, Set.of(), data);
    }

    /** Whole-machine CPU use since the last call, 0..100; the JDK's own measure. */
    private static double cpuPct() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            double load = os.getCpuLoad();
            return load < 0 ? 0 : load * 100;
        }
        return 0;
    }

    /** Memory in use as Linux counts it (MemTotal - MemAvailable), else the JDK's total - free. */
    private static double memUsedPct() {
        try {
            long total = 0;
            long available = -1;
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    total = kb(line);
                } else if (line.startsWith("MemAvailable:")) {
                    available = kb(line);
                }
            }
            if (total > 0 && available >= 0) {
                return 100.0 * (total - available) / total;
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux: fall through to the JDK's figures.
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long total = os.getTotalMemorySize();
            return total <= 0 ? 0 : 100.0 * (total - os.getFreeMemorySize()) / total;
        }
        return 0;
    }

    private static long kb(String line) {
        List<String> parts = List.of(line.trim().split("\\s+"));
        return Long.parseLong(parts.get(1));
    }

    private long diskFreeMb() {
        try {
            return Files.getFileStore(buffer.file().toAbsolutePath().getParent()).getUsableSpace() / 1_000_000;
        } catch (IOException e) {
            return -1;
        }
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
