package org.communityguard.hub.task;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One daemon thread that runs a job every {@code poll}, and soon after {@link #wake()}: work
 * that lives in database rows is found by the poll (after a restart, or queued by another hub)
 * and started at once by a wake from whoever just queued it. Many wakes before the job runs are
 * one run; the job never runs twice at once.
 */
public final class PollingTask implements AutoCloseable {

    private final Runnable job;
    private final Duration poll;
    private final ScheduledExecutorService thread;
    private final AtomicBoolean wakePending = new AtomicBoolean();

    /** @param job must not throw: it logs and leaves its rows for the next run */
    public PollingTask(String threadName, Duration poll, Runnable job) {
        this.job = job;
        this.poll = poll;
        this.thread = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory(threadName, true));
    }

    public void start() {
        thread.scheduleWithFixedDelay(job, 0, poll.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Run the job soon rather than at the next poll. */
    public void wake() {
        if (wakePending.compareAndSet(false, true)) {
            try {
                thread.execute(() -> {
                    wakePending.set(false);
                    job.run();
                });
            } catch (RejectedExecutionException e) {
                // Closed: nothing more to run.
                wakePending.set(false);
            }
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
