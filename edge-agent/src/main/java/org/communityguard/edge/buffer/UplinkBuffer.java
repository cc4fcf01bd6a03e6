package org.communityguard.edge.buffer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.communityguard.edge.device.Reading;
import org.communityguard.edge.device.ReadingSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds readings until the hub has acknowledged them. Readings wait loose until the uplink
 * seals them into a {@link Batch}; a sealed batch stays here, with its id, until acknowledged,
 * and after a disconnect it is sent again before anything newer.
 *
 * <p>Bounded: at {@code capacity} readings held, devices are refused (they retry later) rather
 * than memory growing. This buffer lives in memory; the field-durability issue replaces it
 * with one on disk.
 */
public final class UplinkBuffer implements ReadingSink {

    private static final Logger log = LoggerFactory.getLogger(UplinkBuffer.class);
    private static final CompletionStage<Admission> ACCEPTED = CompletableFuture.completedFuture(Admission.ACCEPTED);
    private static final CompletionStage<Admission> FULL = CompletableFuture.completedFuture(Admission.FULL);

    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Reading> loose = new ArrayDeque<>();
    private final PriorityQueue<Batch> toResend = new PriorityQueue<>(Comparator.comparingLong(Batch::number));
    private final Map<String, Batch> inFlight = new LinkedHashMap<>();
    private long sealed;
    private int held;
    private final Counter refused;
    private final Counter deadLettered;

    public UplinkBuffer(int capacity, MeterRegistry registry) {
        this.capacity = capacity;
        Gauge.builder("edge.buffer.pending.readings", this, UplinkBuffer::pendingReadings)
                .description("readings held until the hub acknowledges them").register(registry);
        this.refused = Counter.builder("edge.buffer.refused.readings")
                .description("readings refused because the buffer was full (devices retry)").register(registry);
        this.deadLettered = Counter.builder("edge.buffer.dead_lettered.readings")
                .description("readings in batches the hub rejected as malformed (PUBACK 0x99)").register(registry);
    }

    @Override
    public CompletionStage<Admission> offer(Reading reading) {
        lock.lock();
        try {
            if (held >= capacity) {
                refused.increment();
                return FULL;
            }
            loose.add(reading);
            held++;
            changed.signalAll();
            return ACCEPTED;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next batch to send: a batch waiting to be resent if any, else up to
     * {@code maxReadings} loose readings sealed into a new batch once that many are there or
     * {@code linger} has passed since the first. Null when nothing arrives within {@code wait}.
     */
    public Batch next(int maxReadings, Duration linger, Duration wait) throws InterruptedException {
        lock.lock();
        try {
            long waitNanos = wait.toNanos();
            while (toResend.isEmpty() && loose.isEmpty()) {
                if (waitNanos <= 0) {
                    return null;
                }
                waitNanos = changed.awaitNanos(waitNanos);
            }
            if (!toResend.isEmpty()) {
                Batch b = toResend.poll();
                inFlight.put(b.id(), b);
                return b;
            }
            long lingerNanos = linger.toNanos();
            while (loose.size() < maxReadings && lingerNanos > 0 && toResend.isEmpty()) {
                lingerNanos = changed.awaitNanos(lingerNanos);
            }
            if (!toResend.isEmpty()) {
                Batch b = toResend.poll();
                inFlight.put(b.id(), b);
                return b;
            }
            int n = Math.min(maxReadings, loose.size());
            List<Reading> readings = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                readings.add(loose.poll());
            }
            Batch b = new Batch(UUID.randomUUID().toString(), sealed++, readings);
            inFlight.put(b.id(), b);
            return b;
        } finally {
            lock.unlock();
        }
    }

    /** The hub stored the batch (or had stored it before): forget it. */
    public void acknowledged(String batchId) {
        lock.lock();
        try {
            Batch b = inFlight.remove(batchId);
            if (b == null) {
                // A late ack for a batch already queued for resending after a disconnect.
                b = removeFromResend(batchId);
            }
            if (b != null) {
                held -= b.readings().size();
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Send this batch again, in its original order, the next time the uplink asks. */
    public void resend(String batchId) {
        lock.lock();
        try {
            Batch b = inFlight.remove(batchId);
            if (b != null) {
                toResend.add(b);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** After a disconnect: every unacknowledged batch goes out again, oldest first, before new ones. */
    public void resendAllInFlight() {
        lock.lock();
        try {
            toResend.addAll(inFlight.values());
            inFlight.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The hub refused the batch as malformed: resending cannot help. Counted and logged, not kept. */
    public void deadLetter(String batchId, String why) {
        lock.lock();
        try {
            Batch b = inFlight.remove(batchId);
            if (b != null) {
                held -= b.readings().size();
                deadLettered.increment(b.readings().size());
                log.error("the hub refused batch {} ({} readings) as malformed, it is dropped: {}",
                        batchId, b.readings().size(), why);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    public int pendingReadings() {
        lock.lock();
        try {
            return held;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until nothing is held (tests and orderly shutdown). */
    public boolean awaitEmpty(Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            long nanos = timeout.toNanos();
            while (held > 0) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = changed.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private Batch removeFromResend(String batchId) {
        for (Batch b : toResend) {
            if (b.id().equals(batchId)) {
                toResend.remove(b);
                return b;
            }
        }
        return null;
    }
}
