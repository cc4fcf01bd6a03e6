package org.communityguard.hub.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How an HTTP receiver's answer is taken (docs/incident-loop.md#notifications): the one table for webhook and SMS. */
class HttpDeliveryTest {

    private static final Instant NOW = Instant.parse("2024-05-01T10:00:00Z");

    private static NotificationChannel.RetryLater later(int status, String retryAfter) {
        return catchThrowableOfType(() -> HttpDelivery.check("webhook", status, Optional.ofNullable(retryAfter), NOW),
                NotificationChannel.RetryLater.class);
    }

    private static Undelivered.Cause refused(int status) {
        NotificationChannel.Undeliverable e = catchThrowableOfType(
                () -> HttpDelivery.check("webhook", status, Optional.empty(), NOW), NotificationChannel.Undeliverable.class);
        assertThat(e).as("HTTP " + status + " is final").isNotNull();
        assertThat(e.getMessage()).contains("webhook answered HTTP " + status);
        return e.cause();
    }

    @Test
    void anySuccessIsDelivered() {
        for (int status : new int[] {200, 201, 202, 204}) {
            assertThatCode(() -> HttpDelivery.check("webhook", status, Optional.empty(), NOW)).doesNotThrowAnyException();
        }
    }

    @Test
    void serverErrorsTimeoutsTooEarlyAndTooManyAreTriedAgain() {
        for (int status : new int[] {408, 425, 429, 500, 502, 503, 504}) {
            NotificationChannel.RetryLater e = later(status, null);
            assertThat(e).as("HTTP " + status + " is transient").isNotNull();
            assertThat(e.getMessage()).isEqualTo("webhook answered HTTP " + status);
            assertThat(e.retryAfter()).isEmpty();
        }
    }

    @Test
    void retryAfterIsTakenInSecondsOrAsAnHttpDate() {
        assertThat(later(429, "7").retryAfter()).contains(Duration.ofSeconds(7));
        assertThat(later(503, "Wed, 01 May 2024 10:00:30 GMT").retryAfter()).contains(Duration.ofSeconds(30));
        assertThat(later(429, "Wed, 01 May 2024 09:00:00 GMT").retryAfter()).contains(Duration.ZERO);
        assertThat(later(429, "soon").retryAfter()).isEmpty();
        assertThat(later(429, "-5").retryAfter()).isEmpty();
    }

    @Test
    void aWrongAddressOrCredentialIsAConfigurationErrorNotRetried() {
        for (int status : new int[] {401, 403, 404, 410, 301, 302, 307, 308}) {
            assertThat(refused(status)).as("HTTP " + status).isEqualTo(Undelivered.Cause.CONFIGURATION);
        }
    }

    @Test
    void anyOtherRefusalOfTheMessageIsFinal() {
        for (int status : new int[] {400, 405, 413, 415, 422}) {
            assertThat(refused(status)).as("HTTP " + status).isEqualTo(Undelivered.Cause.REJECTED);
        }
    }
}
