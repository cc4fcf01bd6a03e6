package org.communityguard.hub.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.communityguard.hub.incident.rules.Readings.event;
import static org.communityguard.hub.incident.rules.Readings.telemetry;

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
    void aLargeBatchIsRoutineWhateverItCarries() {
        // A busy fleet's gateway that mixes its events into large batches (bench.sh alarm's
        // background: a tamper or cover event in every batch of 500) would otherwise put its
        // whole traffic on the one safety writer and slow every alarm down.
        assertThat(IngestPipeline.takesSafetyLane(batch(IngestPipeline.SAFETY_LANE_MAX_READINGS, alarm()))).isFalse();
        assertThat(IngestPipeline.takesSafetyLane(batch(499, event("lamp-b1-01", "lamp_post", 1,
                "{\"event\": \"tamper\"}")))).isFalse();
    }
}
