package org.communityguard.hub.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void doublesFromTheBaseAndStopsAtFiveMinutes() {
        Duration base = Duration.ofSeconds(5);

        assertThat(NotificationSender.backoff(base, 1)).isEqualTo(Duration.ofSeconds(5));
        assertThat(NotificationSender.backoff(base, 2)).isEqualTo(Duration.ofSeconds(10));
        assertThat(NotificationSender.backoff(base, 4)).isEqualTo(Duration.ofSeconds(40));
        assertThat(NotificationSender.backoff(base, 6)).isEqualTo(Duration.ofSeconds(160));
        // A fire's notification is tried for an hour or more: every five minutes, not once an hour.
        assertThat(NotificationSender.backoff(base, 7)).isEqualTo(Duration.ofMinutes(5));
        assertThat(NotificationSender.backoff(base, 1000)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void theSignatureIsHexHmacSha256OfTheBody() {
        // RFC 4231 test case 2.
        assertThat(WebhookChannel.sign("Jefe".getBytes(), "what do ya want for nothing?".getBytes()))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
}
