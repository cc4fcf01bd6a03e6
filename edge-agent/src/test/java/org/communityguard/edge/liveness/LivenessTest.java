package org.communityguard.edge.liveness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.communityguard.edge.device.DeviceType;
import org.communityguard.edge.device.Flag;
import org.communityguard.edge.device.Kind;
import org.communityguard.edge.device.Reading;
import org.communityguard.edge.device.TestClock;
import org.communityguard.edge.device.TestSink;
import org.communityguard.edge.site.Site;
import org.junit.jupiter.api.Test;

/** Offline after K silent intervals or a will message; online again at the next reading. */
class LivenessTest {

    private final TestClock clock = new TestClock(1_763_764_800_000L);
    private final TestSink buffer = new TestSink();
    private final Site site = new Site("c", Map.of("lamp-1",
            new Site.Device("lamp-1", DeviceType.LAMP_POST, "B1", Duration.ofSeconds(60))), List.of());
    private final Liveness liveness = new Liveness(buffer, site, 3, clock, new SimpleMeterRegistry());

    private static Reading telemetry(String device) {
        return new Reading(device, DeviceType.LAMP_POST, Kind.TELEMETRY, 1L, null, null, Set.of(),
                JsonNodeFactory.instance.objectNode().put("lamp_on", true));
    }

    private List<Reading> statuses() {
        return buffer.accepted().stream().filter(r -> r.kind() == Kind.STATUS).toList();
    }

    @Test
    void aSilentDeviceIsReportedOfflineOnceAndOnlineWhenHeardAgain() {
        liveness.offer(telemetry("lamp-1"));
        clock.advance(Duration.ofSeconds(179));
        liveness.check();
        assertThat(statuses()).isEmpty();
        clock.advance(Duration.ofSeconds(2));
        liveness.check();
        liveness.check();
        assertThat(statuses()).singleElement().satisfies(s -> {
            assertThat(s.deviceId()).isEqualTo("lamp-1");
            assertThat(s.type()).isEqualTo(DeviceType.LAMP_POST);
            assertThat(s.data().path("status").asText()).isEqualTo("offline");
            assertThat(s.data().path("reason").asText()).isEqualTo("silent");
        });
        liveness.offer(telemetry("lamp-1"));
        assertThat(statuses()).hasSize(2);
        assertThat(statuses().get(1).data().path("status").asText()).isEqualTo("online");
        assertThat(buffer.accepted().get(buffer.accepted().size() - 1).kind()).isEqualTo(Kind.TELEMETRY);
    }

    @Test
    void aWillMessageIsMarkedAsSuchAndUnknownDevicesAreWatchedToo() {
        Reading will = new Reading("door-x", DeviceType.DOOR_ACCESS, Kind.STATUS, 1L, null, null, Set.of(Flag.UNPROVISIONED),
                JsonNodeFactory.instance.objectNode().put("status", "offline"));
        liveness.offer(will);
        assertThat(statuses()).singleElement().satisfies(s -> assertThat(s.data().path("reason").asText()).isEqualTo("will"));
        clock.advance(Duration.ofHours(1));
        liveness.check();
        assertThat(statuses()).as("already offline: not reported again").hasSize(1 + 1)
                .extracting(Reading::deviceId).containsExactly("door-x", "lamp-1");
        liveness.offer(new Reading("door-x", DeviceType.DOOR_ACCESS, Kind.TELEMETRY, 1L, null, null, Set.of(Flag.UNPROVISIONED),
                JsonNodeFactory.instance.objectNode().put("locked", true)));
        assertThat(statuses().get(2).data().path("status").asText()).isEqualTo("online");
        assertThat(statuses().get(2).flags()).contains(Flag.UNPROVISIONED);
    }
}
