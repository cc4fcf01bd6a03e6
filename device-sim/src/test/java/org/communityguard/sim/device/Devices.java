package org.communityguard.sim.device;

import org.communityguard.sim.site.DeviceType;
import org.communityguard.sim.site.SiteDevice;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;

/** Test helpers: devices without a site file, and quick looks into their messages. */
final class Devices {

    static final Instant T0 = Instant.parse("2026-11-21T12:00:00Z");

    private Devices() {
    }

    static <T extends SimDevice> T create(String id, DeviceType type, Class<T> kind) {
        return kind.cast(SimDevice.create(new SiteDevice(id, type, "B1", "gw-1", null, Duration.ofSeconds(60)), 7));
    }

    static Moment at(LocalTime timeOfDay) {
        return new Moment(T0, timeOfDay);
    }

    static Moment at(Instant now, LocalTime timeOfDay) {
        return new Moment(now, timeOfDay);
    }

    static Map<String, Object> telemetry(List<Message> messages) {
        return messages.stream().filter(m -> m.kind() == Message.Kind.TELEMETRY).reduce((a, b) -> b).orElseThrow().data();
    }

    static List<Map<String, Object>> events(List<Message> messages) {
        return messages.stream().filter(m -> m.kind() == Message.Kind.EVENT).map(Message::data).toList();
    }
}
