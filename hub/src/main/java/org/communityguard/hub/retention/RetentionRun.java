package org.communityguard.hub.retention;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One run of the retention task. {@code outcome}: {@code done}, {@code failed} (some class
 * could not be enforced: {@code errors} says which and why; what the others removed is
 * committed) or {@code skipped} (another hub was running it). {@code removed}: per class, what
 * was removed, by kind ({@code chunks}, {@code rows}, {@code incidents}, ...).
 */
public record RetentionRun(Instant startedAt, Instant finishedAt, String outcome,
                           Map<DataClass, Map<String, Long>> removed, List<String> errors) {

    public Map<String, Long> removed(DataClass c) {
        return removed.getOrDefault(c, Map.of());
    }

    /** Everything removed, of every kind. */
    public long total() {
        return removed.values().stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue).sum();
    }
}
