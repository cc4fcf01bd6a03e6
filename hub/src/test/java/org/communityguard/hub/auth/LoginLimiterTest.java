package org.communityguard.hub.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoginLimiterTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final LoginLimiter limiter = new LoginLimiter(3, 5, Duration.ofMinutes(10), 100, now::get);

    @Test
    void aUserNameIsRefusedAfterItsFailuresUntilTheOldestAgesOut() {
        assertThat(limiter.recordFailure("alice", "10.0.0.1")).isNull();
        now.addAndGet(60_000);
        assertThat(limiter.recordFailure("alice", "10.0.0.2")).isNull();
        assertThat(limiter.check("alice", "10.0.0.3").allowed()).isTrue();
        assertThat(limiter.recordFailure("Alice", "10.0.0.3")).as("the failure that locks").isEqualTo(LoginLimiter.By.USER);

        LoginLimiter.Verdict refused = limiter.check("ALICE", "10.0.0.9");
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.refusedBy()).isEqualTo(LoginLimiter.By.USER);
        assertThat(refused.retryAfterSeconds()).isEqualTo(540); // the first failure, 9 minutes ago
        assertThat(limiter.check("bob", "10.0.0.9").allowed()).as("other users are not affected").isTrue();

        now.addAndGet(540_000);
        assertThat(limiter.check("alice", "10.0.0.9").allowed()).isTrue();
    }

    @Test
    void anAddressIsRefusedAfterFailuresAcrossUserNames() {
        for (int i = 0; i < 4; i++) {
            assertThat(limiter.recordFailure("user" + i, "192.0.2.7")).isNull();
        }
        assertThat(limiter.recordFailure("user4", "192.0.2.7")).isEqualTo(LoginLimiter.By.ADDRESS);
        LoginLimiter.Verdict v = limiter.check("someone-else", "192.0.2.7");
        assertThat(v.refusedBy()).isEqualTo(LoginLimiter.By.ADDRESS);
        assertThat(v.retryAfterSeconds()).isEqualTo(600);
        assertThat(limiter.check("someone-else", "192.0.2.8").allowed()).isTrue();
    }

    @Test
    void successClearsTheUserNameButNotTheAddress() {
        limiter.recordFailure("carol", "198.51.100.1");
        limiter.recordFailure("carol", "198.51.100.1");
        limiter.recordSuccess("carol");
        limiter.recordFailure("carol", "198.51.100.1");
        limiter.recordFailure("carol", "198.51.100.1");
        assertThat(limiter.check("carol", "198.51.100.1").allowed()).as("2 failures since the success").isTrue();
        assertThat(limiter.recordFailure("dave", "198.51.100.1")).isEqualTo(LoginLimiter.By.ADDRESS);
    }

    @Test
    void memoryIsBoundedWhileAKeyUnderAttackStays() {
        LoginLimiter small = new LoginLimiter(2, 1000, Duration.ofMinutes(10), 10, now::get);
        small.recordFailure("victim", "203.0.113.1");
        for (int i = 0; i < 1000; i++) {
            small.recordFailure("victim", "203.0.113." + (i % 250));
            small.recordFailure("spray" + i, "198.18.0." + (i % 250));
        }
        assertThat(small.trackedKeys()).isLessThanOrEqualTo(10);
        assertThat(small.check("victim", "203.0.113.99").allowed()).isFalse();
    }
}
