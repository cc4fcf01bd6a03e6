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
 */
public record LedgerSnapshot(Map<String, SortedSet<Long>> sent, Map<String, SortedSet<Long>> events,
                             Map<String, SortedSet<Long>> acknowledged,
                             Map<String, SortedMap<Long, String>> rejected,
                             Map<String, SortedSet<Long>> failed, Map<String, Long> failureReasons) {

    public LedgerSnapshot {
        sent = Collections.unmodifiableMap(sent);
        events = Collections.unmodifiableMap(events);
        acknowledged = Collections.unmodifiableMap(acknowledged);
        rejected = Collections.unmodifiableMap(rejected);
        failed = Collections.unmodifiableMap(failed);
        failureReasons = Collections.unmodifiableMap(failureReasons);
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
