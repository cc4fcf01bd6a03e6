package org.communityguard.hub.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PollingTaskTest {

    @Test
    void wakesWhileTheJobRunsAreOneMoreRunAndCloseStopsIt() throws Exception {
        CountDownLatch firstRunStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch secondRunDone = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        PollingTask task = new PollingTask("test-poll", Duration.ofHours(1), () -> {
            int n = runs.incrementAndGet();
            if (n == 1) {
                firstRunStarted.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else {
                secondRunDone.countDown();
            }
        });
        task.start();
        assertThat(firstRunStarted.await(10, TimeUnit.SECONDS)).as("the first poll runs at start").isTrue();
        for (int i = 0; i < 5; i++) {
            task.wake();
        }
        release.countDown();
        assertThat(secondRunDone.await(10, TimeUnit.SECONDS)).as("a wake runs the job again").isTrue();
        task.close();
        assertThat(runs.get()).as("five wakes during one run are one more run").isEqualTo(2);
        task.wake();
        assertThat(runs.get()).as("a wake after close runs nothing").isEqualTo(2);
    }
}
