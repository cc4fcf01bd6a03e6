package org.communityguard.edge.uplink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.communityguard.edge.buffer.UplinkBuffer;
import org.communityguard.edge.device.DeviceType;
import org.communityguard.edge.device.Kind;
import org.communityguard.edge.device.Reading;
import org.communityguard.edge.device.ReadingSink.Admission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A window full of routine batches the hub has not acknowledged yet (its database is behind)
 * must not hold an alarm back: one place of the window is kept for safety events (issue 10).
 */
class UplinkWindowTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static Reading telemetry(long seq) {
        ObjectNode data = JsonNodeFactory.instance.objectNode().put("lamp_on", true);
        return new Reading("lamp-1", DeviceType.LAMP_POST, Kind.TELEMETRY, 1_763_764_800_000L + seq, null, seq, Set.of(), data);
    }

    private static Reading alarm() {
        ObjectNode data = JsonNodeFactory.instance.objectNode().put("event", "alarm").put("level", "alarm");
        return new Reading("smoke-1", DeviceType.SMOKE_DETECTOR, Kind.EVENT, 1_763_764_900_000L, null, 1L, Set.of(), data);
    }

    @Test
    void anAlarmIsSentWhileTheRoutineBatchesFillTheRestOfTheWindow() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (WithholdingHub hub = new WithholdingHub(3);
             UplinkBuffer buffer = new UplinkBuffer(new UplinkBuffer.Settings(dir.resolve("buffer.db"), "gw-test",
                     100_000_000, 0, 0), new ReadingJson(JSON), Clock.systemUTC(), registry);
             UplinkClient client = new UplinkClient(new UplinkClient.Settings(hub.url(), "gw-test", "secret-0123456789", 1,
                     Duration.ZERO, 3, Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ofSeconds(30)), buffer,
                     new BatchEncoder(JSON), null, registry)) {
            client.start();
            for (long seq = 0; seq < 5; seq++) {
                assertThat(buffer.offer(telemetry(seq)).toCompletableFuture().join()).isEqualTo(Admission.ACCEPTED);
            }
            List<WithholdingHub.Published> routine = new ArrayList<>();
            routine.add(hub.next(10));
            routine.add(hub.next(10));
            assertThat(routine).doesNotContainNull().allMatch(p -> p.payload().contains("lamp-1"));

            assertThat(buffer.offer(alarm()).toCompletableFuture().join()).isEqualTo(Admission.ACCEPTED);
            WithholdingHub.Published third = hub.next(10);
            assertThat(third).as("a batch published while two routine batches wait for their PUBACK").isNotNull();
            assertThat(third.payload()).as("the alarm, not a third routine batch").contains("smoke-1");

            // Acknowledged, the window moves on: every routine reading arrives, once.
            hub.ack(third);
            routine.forEach(hub::ack);
            for (int i = 0; i < 3; i++) {
                WithholdingHub.Published p = hub.next(10);
                assertThat(p).isNotNull();
                routine.add(p);
                hub.ack(p);
            }
            assertThat(routine).extracting(WithholdingHub.Published::payload)
                    .allMatch(p -> p.contains("lamp-1")).doesNotHaveDuplicates().hasSize(5);
        }
    }
}
