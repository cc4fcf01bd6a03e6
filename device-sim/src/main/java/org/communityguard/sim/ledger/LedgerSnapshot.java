package org.communityguard.sim.ledger;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An immutable copy of the {@link Ledger}: per device id, the seqs sent and how they ended.
 * A device that restarted its seq counter has one entry per boot: its first boot under its id,
 * later ones under {@link #bootKey} ({@code lamp-b1-01#boot2}); {@link #boots} says which device
 * and which span of device time each key stands for.
 * Every sent seq is in exactly one of acknowledged, rejected, failed, or {@link #pending()}.
 * Maps are sorted by device id and seqs ascending, so assertion failures read well. The
 * {@link Ledger} builds it from fresh, unmodifiable collections.
 *
 * @param sent           every seq each device sent (telemetry and events)
 * @param events         the subset of {@code sent} that were events
 * @param acknowledged   MQTT PUBACK / CoAP 2.xx received
 * @param rejected       CoAP 4.xx, with the code ("4.00")
 * @param failed         no acknowledgement (not connected, no answer, 5.xx, timeout)
 * @param failureReasons how many failures had each reason, for diagnostics
 * @param boots          per key of the maps above, its device and boot
 */
public record LedgerSnapshot(Map<String, SortedSet<Long>> sent, Map<String, SortedSet<Long>> events,
                             Map<String, SortedSet<Long>> acknowledged,
                             Map<String, SortedMap<Long, String>> rejected,
                             Map<String, SortedSet<Long>> failed, Map<String, Long> failureReasons,
                             Map<String, Boot> boots) {

    /**
     * One boot of a device: the messages whose device time {@code ts} is in
     * {@code [fromTs, untilTs)} ({@link Long#MIN_VALUE} and {@link Long#MAX_VALUE} for open ends).
     */
    public record Boot(String deviceId, int number, long fromTs, long untilTs) {

        /** The whole life of a device that never restarted its counter. */
        public static Boot only(String deviceId) {
            return new Boot(deviceId, 0, Long.MIN_VALUE, Long.MAX_VALUE);
        }

        public boolean contains(long ts) {
            return ts >= fromTs && ts < untilTs;
        }
    }

    /** A snapshot of devices that never rebooted. */
    public LedgerSnapshot(Map<String, SortedSet<Long>> sent, Map<String, SortedSet<Long>> events,
                          Map<String, SortedSet<Long>> acknowledged, Map<String, SortedMap<Long, String>> rejected,
                          Map<String, SortedSet<Long>> failed, Map<String, Long> failureReasons) {
        this(sent, events, acknowledged, rejected, failed, failureReasons, onlyBoots(sent.keySet()));
    }

    public LedgerSnapshot {
        sent = Collections.unmodifiableMap(sent);
        events = Collections.unmodifiableMap(events);
        acknowledged = Collections.unmodifiableMap(acknowledged);
        rejected = Collections.unmodifiableMap(rejected);
        failed = Collections.unmodifiableMap(failed);
        failureReasons = Collections.unmodifiableMap(failureReasons);
        boots = Collections.unmodifiableMap(boots);
    }

    /** The key of a device's boot in the maps: the device id for its first boot. */
    public static String bootKey(String deviceId, int boot) {
        return boot == 0 ? deviceId : deviceId + "#boot" + boot;
    }

    /** The key of the boot of a device that sent a message at device time {@code ts}; the device id when none matches. */
    public String keyOf(String deviceId, long ts) {
        return boots.entrySet().stream()
                .filter(e -> e.getValue().deviceId().equals(deviceId) && e.getValue().contains(ts))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElse(deviceId);
    }

    private static Map<String, Boot> onlyBoots(Set<String> deviceIds) {
        Map<String, Boot> boots = new TreeMap<>();
        deviceIds.forEach(id -> boots.put(id, Boot.only(id)));
        return boots;
    }

    /** The seqs of one device that were acknowledged; empty for a device that sent nothing. */
    public Set<Long> acknowledged(String deviceId) {
        return acknowledged.getOrDefault(deviceId, Collections.emptySortedSet());
    }

    /** Per device, the seqs sent and not (yet) settled. */
    public Map<String, SortedSet<Long>> pending() {
        Map<String, SortedSet<Long>> pending = new TreeMap<>();
        sent.forEach((id, seqs) -> {
            TreeSet<Long> open = new TreeSet<>(seqs);
            open.removeAll(acknowledged.getOrDefault(id, Collections.emptySortedSet()));
            open.removeAll(failed.getOrDefault(id, Collections.emptySortedSet()));
            open.removeAll(rejected.getOrDefault(id, Collections.emptySortedMap()).keySet());
            pending.put(id, Collections.unmodifiableSortedSet(open));
        });
        return Collections.unmodifiableMap(pending);
    }

    public long sentCount() {
        return count(sent);
    }

    public long eventCount() {
        return count(events);
    }

    public long acknowledgedCount() {
        return count(acknowledged);
    }

    public long rejectedCount() {
        return rejected.values().stream().mapToLong(Map::size).sum();
    }

    public long failedCount() {
        return count(failed);
    }

    public long pendingCount() {
        return sentCount() - acknowledgedCount() - rejectedCount() - failedCount();
    }

    private static long count(Map<String, SortedSet<Long>> seqs) {
        return seqs.values().stream().mapToLong(Set::size).sum();
    }
}
