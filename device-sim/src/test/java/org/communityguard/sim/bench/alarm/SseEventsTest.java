package org.communityguard.sim.bench.alarm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseEventsTest {

    private static List<SseEvents.Event> read(String... lines) {
        SseEvents events = new SseEvents();
        List<SseEvents.Event> out = new ArrayList<>();
        for (String line : lines) {
            events.accept(line).ifPresent(out::add);
        }
        return out;
    }

    @Test
    void anEventEndsAtTheBlankLineAndKeepAlivesAreSkipped() {
        assertThat(read("retry: 3000", "", ": keep-alive", "", "id: 17", "event: incident.opened",
                "data: {\"device_id\":\"smoke-00001\"}", "", ": keep-alive", ""))
                .containsExactly(new SseEvents.Event("incident.opened", "17", "{\"device_id\":\"smoke-00001\"}"));
    }

    @Test
    void dataLinesJoinAndAnUnnamedEventIsAMessage() {
        assertThat(read("data: a", "data:b", "")).containsExactly(new SseEvents.Event("message", null, "a\nb"));
    }

    @Test
    void anEventNotYetEndedIsNotGiven() {
        assertThat(read("event: reset", "data: {}")).isEmpty();
    }
}
