package org.communityguard.edge.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What duplicate detection costs: bounded per device and in total, and only fast devices pay more. */
class DeviceMemoryTest {

    private static final long T0 = 1_763_764_800_000L;

    private final ReadingValidator validator = new ReadingValidator(Provisioning.none());

    private Reading reading(String device, long seq, long rx) {
        String json = "{\"v\":1,\"type\":\"lamp_post\",\"ts\":" + rx + ",\"seq\":" + seq + ",\"data\":{\"dim_pct\":80}}";
        return validator.validate(device, Kind.TELEMETRY, Messages.json(json), rx).value();
    }

    private static void remember(DeviceMemory memory, Reading r) {
        memory.remember(r, Fingerprint.of(r));
    }

    @Test
    void aSlowDeviceKeepsAFewReadingsAndAFastOneUpToTheMaximum() {
        DeviceMemory memory = new DeviceMemory(10);
        // One reading a minute: eight cover the five-minute copy window, so it stops there.
        for (long seq = 0; seq < 100; seq++) {
            remember(memory, reading("slow", seq, T0 + seq * 60_000));
        }
        assertThat(memory.fingerprints()).isEqualTo(RecentReadings.INITIAL * 2);
        // Ten a second: grows to the maximum, and stays there.
        for (long seq = 0; seq < 5000; seq++) {
            remember(memory, reading("fast", seq, T0 + seq * 100));
        }
        assertThat(memory.fingerprints()).isEqualTo(RecentReadings.INITIAL * 2 + RecentReadings.MAX);

        Reading old = reading("fast", 4999 - RecentReadings.MAX + 1, T0 + (4999 - RecentReadings.MAX + 1) * 100);
        Reading older = reading("fast", 4999 - RecentReadings.MAX, T0 + (4999 - RecentReadings.MAX) * 100);
        assertThat(memory.isDuplicate(old, Fingerprint.of(old))).as("the oldest still remembered").isTrue();
        assertThat(memory.isDuplicate(older, Fingerprint.of(older))).as("forgotten").isFalse();
    }

    @Test
    void aCoapRetryAtTheEndOfItsTransmitSpanIsKnownFromADeviceSendingTenASecond() {
        // CrashIT: a CoAP request stored just before the agent was killed and retried 39 s later
        // was stored twice, the device having sent some 390 newer readings in between.
        DeviceMemory memory = new DeviceMemory(50);
        Reading original = reading("fast", 0, T0);
        remember(memory, original);
        long maxTransmitSpanMs = 45_000;
        for (long seq = 1; seq * 100 < maxTransmitSpanMs; seq++) {
            remember(memory, reading("fast", seq, T0 + seq * 100));
        }
        Reading retry = reading("fast", 0, T0);
        assertThat(memory.isDuplicate(retry, Fingerprint.of(retry))).as("the retry 45 s later").isTrue();
    }

    @Test
    void theTotalStaysWithinItsBoundWhateverTheDevicesSend() {
        DeviceMemory memory = new DeviceMemory(50, 1000);
        for (int d = 0; d < 200; d++) {
            for (long seq = 0; seq < 300; seq++) {
                remember(memory, reading("dev-" + d, seq, T0 + seq));
            }
            assertThat(memory.fingerprints()).isLessThanOrEqualTo(1000);
        }
        assertThat(memory.devices()).isEqualTo(50);
        // Room is kept for devices still to come: a new one is remembered from its first reading.
        DeviceMemory tight = new DeviceMemory(3, 3 * RecentReadings.INITIAL + 8);
        for (long seq = 0; seq < 300; seq++) {
            remember(tight, reading("a", seq, T0 + seq));
        }
        Reading first = reading("b", 0, T0 + 1000);
        remember(tight, first);
        assertThat(tight.isDuplicate(first, Fingerprint.of(first))).isTrue();
        assertThat(tight.fingerprints()).isLessThanOrEqualTo(3 * RecentReadings.INITIAL + 8);
    }

    @Test
    void aGrownListKeepsItsOrder() {
        RecentReadings recent = new RecentReadings();
        for (long i = 0; i < 6; i++) {
            if (recent.isFull()) {
                recent.grow();
            }
            recent.add(100 + i, T0 + i, true);
        }
        // 4 then grown to 8 after the fourth: all six there, the oldest first in line to go.
        assertThat(recent.capacity()).isEqualTo(8);
        for (long i = 0; i < 6; i++) {
            assertThat(recent.contains(100 + i, Long.MAX_VALUE)).isTrue();
        }
        assertThat(recent.oldestArrival()).isEqualTo(T0);
        recent.add(106, T0 + 6, true);
        recent.add(107, T0 + 7, true);
        recent.add(108, T0 + 8, true);
        assertThat(recent.contains(100, Long.MAX_VALUE)).as("overwritten first").isFalse();
        assertThat(recent.contains(101, Long.MAX_VALUE)).isTrue();
        assertThat(recent.oldestArrival()).isEqualTo(T0 + 1);
    }

    @Test
    void anUntimedEntryCountsOnlyWithinTheWindow() {
        RecentReadings recent = new RecentReadings();
        recent.add(7, T0, false);
        assertThat(recent.contains(7, T0)).isTrue();
        assertThat(recent.contains(7, T0 + 1)).isFalse();
        assertThat(DeviceMemory.UNTIMED_COPY_WINDOW).isEqualTo(Duration.ofMinutes(5));
    }
}
