package org.communityguard.hub.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class KeyRateLimiterTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final KeyRateLimiter limiter = new KeyRateLimiter(now::get);

    private void advanceMillis(long ms) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    @Test
    void aMinutesWorthAtOnceThenRefusedWithTheWaitForTheNextToken() {
        for (int i = 0; i < 6; i++) {
            assertThat(limiter.acquire("k1", 6).allowed()).as("request " + i).isTrue();
        }
        KeyRateLimiter.Verdict refused = limiter.acquire("k1", 6);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfterSeconds()).as("6 a minute: one every 10 s").isEqualTo(10);
        advanceMillis(4_000);
        assertThat(limiter.acquire("k1", 6).retryAfterSeconds()).isEqualTo(6);
        advanceMillis(6_000);
        assertThat(limiter.acquire("k1", 6).allowed()).isTrue();
        assertThat(limiter.acquire("k1", 6).allowed()).isFalse();
    }

    @Test
    void refillsEvenlyAndNeverBeyondAMinutesWorth() {
        for (int i = 0; i < 60; i++) {
            limiter.acquire("k1", 60);
        }
        advanceMillis(2_500);
        assertThat(limiter.acquire("k1", 60).allowed()).isTrue();
        assertThat(limiter.acquire("k1", 60).allowed()).isTrue();
        assertThat(limiter.acquire("k1", 60).allowed()).as("2.5 tokens refilled, 2 taken").isFalse();

        advanceMillis(3_600_000);
        int allowed = 0;
        while (limiter.acquire("k1", 60).allowed()) {
            allowed++;
        }
        assertThat(allowed).as("an idle hour still holds only a minute's worth").isEqualTo(60);
    }

    @Test
    void keysHaveTheirOwnBucketsAndARateChangeStartsAFullOne() {
        assertThat(limiter.acquire("k1", 1).allowed()).isTrue();
        assertThat(limiter.acquire("k1", 1).allowed()).isFalse();
        assertThat(limiter.acquire("k1", 1).retryAfterSeconds()).isEqualTo(60);
        assertThat(limiter.acquire("k2", 1).allowed()).isTrue();
        assertThat(limiter.acquire("k1", 2).allowed()).isTrue();
        assertThatThrownBy(() -> limiter.acquire("k1", 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
