package org.communityguard.hub.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.communityguard.hub.incident.rules.Readings.event;
import static org.communityguard.hub.incident.rules.Readings.telemetry;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which batches take the safety lane (IngestPipeline; the lane itself: SafetyLaneIT). */
class SafetyLaneTest {

    private static UplinkBatch batch(int routine, IncomingReading... more) {
        List<IncomingReading> readings = new ArrayList<>();
        for (int i = 0; i < routine; i++) {
            readings.add(telemetry("lamp-b1-01", "lamp_post", i, "{\"lamp_on\": true}"));
        }
        readings.addAll(List.of(more));
        return new UplinkBatch("gw-1", "b-1", readings, List.of());
    }

    private static IncomingReading alarm() {
        return event("smoke-b1-01", "smoke_detector", 1, "{\"event\": \"alarm\", \"level\": \"alarm\"}");
    }

    @Test
    void aSmallBatchWithASafetyAlarmTakesTheSafetyLane() {
        assertThat(IngestPipeline.takesSafetyLane(batch(0, alarm()))).isTrue();
        assertThat(IngestPipeline.takesSafetyLane(batch(IngestPipeline.SAFETY_LANE_MAX_READINGS - 1, alarm()))).isTrue();
        assertThat(IngestPipeline.takesSafetyLane(batch(0, telemetry("smoke-b1-01", "smoke_detector", 1,
                "{\"alarm\": true}")))).as("the detector's own verdict in telemetry").isTrue();
    }

    @Test
    void routineReadingsStayOnTheRoutineLanes() {
        assertThat(IngestPipeline.takesSafetyLane(batch(3))).isFalse();
        assertThat(IngestPipeline.takesSafetyLane(batch(0, event("smoke-b1-01", "smoke_detector", 1,
                "{\"event\": \"test\"}")))).as("a test-button press").isFalse();
    }

    @Test
    void aSafetyBatchIsQueuedPastTheLimitAndNeverAsksTheGatewayToWait() {
        // Not started: submit() only queues, so nothing touches the (absent) database.
        IngestPipeline pipeline = new IngestPipeline(null, null, null, null, null, 1, 10, 20_000,
                Duration.ofSeconds(15), Duration.ofSeconds(5), new SimpleMeterRegistry());
        assertThat(pipeline.submit(batch(10), r -> { })).as("at the limit").isTrue();
        assertThat(pipeline.submit(batch(1), r -> { })).as("past it: stop reading this gateway").isFalse();
        assertThat(pipeline.submit(batch(0, alarm()), r -> { })).as("an alarm past it").isTrue();
        assertThat(pipeline.queuedReadings()).as("and it is counted").isEqualTo(12);
    }

    @Test
    void aLargeBatchIsRoutineWhateverItCarries() {
        // A busy fleet's gateway that mixes its events into large batches (bench.sh alarm's
        // background: a tamper or cover event in every batch of 500) would otherwise put its
        // whole traffic on the one safety writer and slow every alarm down.
        assertThat(IngestPipeline.takesSafetyLane(batch(IngestPipeline.SAFETY_LANE_MAX_READINGS, alarm()))).isFalse();
        assertThat(IngestPipeline.takesSafetyLane(batch(499, event("lamp-b1-01", "lamp_post", 1,
                "{\"event\": \"tamper\"}")))).isFalse();
    }
}
