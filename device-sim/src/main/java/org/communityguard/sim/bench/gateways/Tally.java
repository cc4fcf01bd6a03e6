package org.communityguard.sim.bench.gateways;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What every gateway of the run counts into, from its event loop: sessions up, acknowledgements
 * and their latency, the hub's answers to connection attempts, and failures (anything the hub
 * should not have answered: a PUBACK other than Success, readings refused inside a batch).
 */
final class Tally {

    private static final long MAX_LATENCY_MICROS = TimeUnit.MINUTES.toMicros(10);

    private final int gateways;
    private final AtomicInteger up = new AtomicInteger();
    private final AtomicInteger returned = new AtomicInteger();
    private final AtomicLong allUpNanos = new AtomicLong();
    private final AtomicLong allBackNanos = new AtomicLong();
    private final AtomicLong ackedReadings = new AtomicLong();
    private final AtomicLong ackedBatches = new AtomicLong();
    private final AtomicLong pendingBatches = new AtomicLong();
    private final Map<String, LongAdder> events = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicLong failureCount = new AtomicLong();
    private final Histogram latencyMicros = new ConcurrentHistogram(MAX_LATENCY_MICROS, 3);
    private final StallMeter stall = new StallMeter();
    private volatile boolean measuring;

    Tally(int gateways) {
        this.gateways = gateways;
    }

    /** A session came up (CONNACK Success); the first time every gateway is up is remembered. */
    void sessionUp(long nowNanos) {
        if (up.incrementAndGet() == gateways) {
            allUpNanos.compareAndSet(0, nowNanos);
        }
    }

    void sessionDown() {
        up.decrementAndGet();
    }

    /** A gateway dropped in the storm has its session again; the instant the last one does is kept. */
    void returned(long nowNanos) {
        if (returned.incrementAndGet() == gateways) {
            allBackNanos.compareAndSet(0, nowNanos);
        }
    }

    void acknowledged(int readings, long latencyNanos, long nowNanos) {
        ackedReadings.addAndGet(readings);
        ackedBatches.incrementAndGet();
        pendingBatches.decrementAndGet();
        stall.acknowledged(nowNanos);
        if (measuring) {
            latencyMicros.recordValue(Math.min(latencyNanos / 1000, MAX_LATENCY_MICROS));
        }
    }

    void batchQueued() {
        pendingBatches.incrementAndGet();
    }

    /** A batch given up on (its failure is recorded): no longer pending. */
    void batchAbandoned(String why) {
        pendingBatches.decrementAndGet();
        fail(why);
    }

    /** Something the run cannot count as correct ingest. */
    void fail(String why) {
        if (failureCount.incrementAndGet() <= 20) {
            failures.add(why);
        }
    }

    /** Something that happened to a connection: a refusal, an attempt, a close by the hub. */
    void count(String event) {
        events.computeIfAbsent(event, e -> new LongAdder()).increment();
    }

    /** The events so far, by name. */
    Map<String, Long> events() {
        Map<String, Long> snapshot = new TreeMap<>();
        events.forEach((k, v) -> snapshot.put(k, v.sum()));
        return snapshot;
    }

    void measuring(boolean on) {
        measuring = on;
    }

    void resetReturned() {
        returned.set(0);
        allBackNanos.set(0);
    }

    int gateways() {
        return gateways;
    }

    int up() {
        return up.get();
    }

    int returned() {
        return returned.get();
    }

    long allUpNanos() {
        return allUpNanos.get();
    }

    long allBackNanos() {
        return allBackNanos.get();
    }

    long ackedReadings() {
        return ackedReadings.get();
    }

    long ackedBatches() {
        return ackedBatches.get();
    }

    long pendingBatches() {
        return pendingBatches.get();
    }

    long failureCount() {
        return failureCount.get();
    }

    Iterable<String> firstFailures() {
        return failures;
    }

    Histogram latencyMicros() {
        return latencyMicros;
    }

    StallMeter stall() {
        return stall;
    }
}
