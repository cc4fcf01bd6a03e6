package org.communityguard.edge.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Set;
import org.communityguard.edge.device.DeviceType;
import org.communityguard.edge.device.Kind;
import org.communityguard.edge.device.Reading;
import org.communityguard.edge.device.ReadingSink.Admission;
import org.junit.jupiter.api.Test;

class UplinkBufferTest {

    private final UplinkBuffer buffer = new UplinkBuffer(5, new SimpleMeterRegistry());

    private static Reading reading(long seq) {
        return new Reading("lamp-1", DeviceType.LAMP_POST, Kind.TELEMETRY, 1000 + seq, null, seq, Set.of(),
                JsonNodeFactory.instance.objectNode().put("lamp_on", true));
    }

    private Admission offer(long seq) {
        return buffer.offer(reading(seq)).toCompletableFuture().join();
    }

    @Test
    void refusesReadingsOnceFullUntilABatchIsAcknowledged() throws InterruptedException {
        for (long i = 0; i < 5; i++) {
            assertThat(offer(i)).isEqualTo(Admission.ACCEPTED);
        }
        assertThat(offer(5)).isEqualTo(Admission.FULL);

        Batch b = buffer.next(3, Duration.ZERO, Duration.ZERO);
        assertThat(b.readings()).extracting(Reading::seq).containsExactly(0L, 1L, 2L);
        assertThat(offer(5)).as("sent but unacknowledged readings still count").isEqualTo(Admission.FULL);

        buffer.acknowledged(b.id());
        assertThat(buffer.pendingReadings()).isEqualTo(2);
        assertThat(offer(5)).isEqualTo(Admission.ACCEPTED);
    }

    @Test
    void unacknowledgedBatchesGoAgainFirstWithTheirIds() throws InterruptedException {
        for (long i = 0; i < 4; i++) {
            offer(i);
        }
        Batch first = buffer.next(2, Duration.ZERO, Duration.ZERO);
        Batch second = buffer.next(2, Duration.ZERO, Duration.ZERO);
        offer(4);

        buffer.resendAllInFlight();

        assertThat(buffer.next(2, Duration.ZERO, Duration.ZERO)).isEqualTo(first);
        assertThat(buffer.next(2, Duration.ZERO, Duration.ZERO)).isEqualTo(second);
        Batch third = buffer.next(2, Duration.ZERO, Duration.ZERO);
        assertThat(third.readings()).extracting(Reading::seq).containsExactly(4L);
        assertThat(third.id()).isNotIn(first.id(), second.id());
    }

    @Test
    void aLateAckForARequeuedBatchStillCounts() throws InterruptedException {
        offer(0);
        Batch b = buffer.next(10, Duration.ZERO, Duration.ZERO);
        buffer.resendAllInFlight();

        buffer.acknowledged(b.id());

        assertThat(buffer.pendingReadings()).isZero();
        assertThat(buffer.next(10, Duration.ZERO, Duration.ZERO)).isNull();
    }

    @Test
    void lingersForAFullBatchButNotForever() throws InterruptedException {
        offer(0);
        long start = System.nanoTime();

        Batch b = buffer.next(3, Duration.ofMillis(50), Duration.ofSeconds(1));

        assertThat(b.readings()).hasSize(1);
        assertThat(System.nanoTime() - start).as("waited for the linger").isGreaterThanOrEqualTo(Duration.ofMillis(40).toNanos());
    }

    @Test
    void deadLetteredBatchesFreeTheirRoom() throws InterruptedException {
        offer(0);
        offer(1);
        Batch b = buffer.next(10, Duration.ZERO, Duration.ZERO);

        buffer.deadLetter(b.id(), "test");

        assertThat(buffer.pendingReadings()).isZero();
    }
}
