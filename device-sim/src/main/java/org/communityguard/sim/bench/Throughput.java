package org.communityguard.sim.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Measures how fast a counter grows over a window by sampling it every 100 ms and fitting a
 * straight line. The hub acknowledges, and COPY commits, in steps of up to 20,000 rows; a plain
 * "count at end minus count at start" then swings by a step's worth depending on where the
 * window's edges fall, while the fitted slope uses every step inside the window.
 */
public final class Throughput {

    static final long SAMPLE_MILLIS = 100;

    /** The fitted rate, the plain count over the window, and the rate of each 5-second slice (to see it was steady). */
    public record Rate(double perSecond, long count, double seconds, List<Double> slices) {
    }

    private final LongSupplier counter;
    private final List<long[]> samples = new ArrayList<>();
    private final Thread sampler;
    private volatile boolean running = true;

    private Throughput(LongSupplier counter) {
        this.counter = counter;
        this.sampler = new Thread(this::sample, "bench-throughput");
        this.sampler.setDaemon(true);
    }

    /** Starts sampling now. */
    public static Throughput start(LongSupplier counter) {
        Throughput t = new Throughput(counter);
        t.record();
        t.sampler.start();
        return t;
    }

    /** Ends the window now. */
    public Rate stop() throws InterruptedException {
        running = false;
        sampler.join();
        record();
        synchronized (samples) {
            long[] nanos = new long[samples.size()];
            long[] counts = new long[samples.size()];
            for (int i = 0; i < nanos.length; i++) {
                nanos[i] = samples.get(i)[0];
                counts[i] = samples.get(i)[1];
            }
            return rate(nanos, counts);
        }
    }

    private void sample() {
        long next = System.nanoTime();
        while (running) {
            next += SAMPLE_MILLIS * 1_000_000;
            long sleep = (next - System.nanoTime()) / 1_000_000;
            if (sleep > 0) {
                try {
                    Thread.sleep(sleep);
                } catch (InterruptedException e) {
                    return;
                }
            }
            record();
        }
    }

    private void record() {
        long now = System.nanoTime();
        long count = counter.getAsLong();
        synchronized (samples) {
            samples.add(new long[] {now, count});
        }
    }

    /** Least-squares slope of count over time, per second, and the rest of {@link Rate}. */
    static Rate rate(long[] nanos, long[] counts) {
        int n = nanos.length;
        double seconds = (nanos[n - 1] - nanos[0]) / 1e9;
        long count = counts[n - 1] - counts[0];
        double meanT = 0;
        double meanC = 0;
        for (int i = 0; i < n; i++) {
            meanT += (nanos[i] - nanos[0]) / 1e9;
            meanC += counts[i] - counts[0];
        }
        meanT /= n;
        meanC /= n;
        double cov = 0;
        double var = 0;
        for (int i = 0; i < n; i++) {
            double t = (nanos[i] - nanos[0]) / 1e9 - meanT;
            cov += t * (counts[i] - counts[0] - meanC);
            var += t * t;
        }
        double slope = var == 0 ? 0 : cov / var;
        List<Double> slices = new ArrayList<>();
        int start = 0;
        for (int i = 1; i < n; i++) {
            // Whole slices only: a short remainder at the end would be mostly step noise.
            if (nanos[i] - nanos[start] >= 5_000_000_000L) {
                slices.add((counts[i] - counts[start]) / ((nanos[i] - nanos[start]) / 1e9));
                start = i;
            }
        }
        return new Rate(slope, count, seconds, slices);
    }
}
