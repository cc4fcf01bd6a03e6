package org.communityguard.hub.ingest;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs a warning at most once per key per interval, then says how many were suppressed, so a
 * gateway that sends garbage a thousand times a second cannot fill the disk. Counters still
 * count every occurrence.
 */
public final class LogLimiter {

    private record Window(AtomicLong lastNanos, AtomicLong suppressed) {
    }

    private static final int MAX_KEYS = 10_000;

    private final Logger log;
    private final long intervalNanos;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    public LogLimiter(Logger log, long interval, TimeUnit unit) {
        this.log = log;
        this.intervalNanos = unit.toNanos(interval);
    }

    public void warn(String key, String format, Object... args) {
        if (windows.size() > MAX_KEYS) {
            windows.clear();
        }
        Window w = windows.computeIfAbsent(key, k -> new Window(new AtomicLong(System.nanoTime() - intervalNanos), new AtomicLong()));
        long now = System.nanoTime();
        long last = w.lastNanos().get();
        if (now - last >= intervalNanos && w.lastNanos().compareAndSet(last, now)) {
            long suppressed = w.suppressed().getAndSet(0);
            if (suppressed > 0) {
                log.warn("({} similar warnings suppressed) " + format, prepend(suppressed, args));
            } else {
                log.warn(format, args);
            }
        } else {
            w.suppressed().incrementAndGet();
        }
    }

    private static Object[] prepend(long first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
