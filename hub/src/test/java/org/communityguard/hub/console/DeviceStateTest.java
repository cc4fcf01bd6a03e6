package org.communityguard.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class DeviceStateTest {

    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");

    @Test
    void theMostUrgentWordWins() {
        Instant fresh = NOW.minusSeconds(30);
        assertThat(DeviceState.of("critical", null, true, 60, "smoke_detector", 5.0, NOW)).isEqualTo("alarm");
        assertThat(DeviceState.of("major", fresh, false, 60, "lamp_post", null, NOW)).isEqualTo("alarm");
        assertThat(DeviceState.of(null, fresh, true, 60, "lamp_post", null, NOW)).isEqualTo("offline");
        assertThat(DeviceState.of("minor", fresh, false, 60, "lamp_post", null, NOW)).isEqualTo("warning");
        assertThat(DeviceState.of(null, fresh, false, 60, "manhole", 19.0, NOW)).isEqualTo("warning");
        assertThat(DeviceState.of(null, fresh, false, 60, "manhole", 20.0, NOW)).isEqualTo("ok");
        assertThat(DeviceState.of(null, null, false, 60, "manhole", null, NOW)).isEqualTo("unknown");
    }

    @Test
    void silentForThreeIntervalsIsOffline() {
        // No interval in the site file: 300 s for CoAP devices, 60 s for MQTT devices.
        assertThat(DeviceState.of(null, NOW.minusSeconds(899), false, null, "smoke_detector", null, NOW)).isEqualTo("ok");
        assertThat(DeviceState.of(null, NOW.minusSeconds(901), false, null, "smoke_detector", null, NOW)).isEqualTo("offline");
        assertThat(DeviceState.of(null, NOW.minusSeconds(181), false, null, "door_access", null, NOW)).isEqualTo("offline");
        assertThat(DeviceState.of(null, NOW.minusSeconds(181), false, 600, "door_access", null, NOW)).isEqualTo("ok");
    }
}
