package org.communityguard.hub.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.communityguard.testkit.fuzz.Choices;
import org.communityguard.testkit.fuzz.Fuzzing;
import org.junit.jupiter.api.Test;

/**
 * SSE resumption ({@code Last-Event-ID}, {@link LiveEvents#subscribe}) under generated input,
 * {@value Fuzzing#SHORT_TRIES} tries ({@link LastEventIdFuzzer} runs the same property in
 * deploy/bench.sh fuzz): a hub with a ring and a client queue of generated sizes, some events
 * published, and a client resuming with an id that is one the hub gave, one of an earlier start,
 * or anything else a header can hold.
 *
 * <p>What must hold: subscribing never throws; a client resuming from an id of this start within
 * the ring gets every event after it, in order, nothing lost (or a reset when it missed more than
 * its queue holds); any other client gets a
 * {@code reset} (reload the board) or, for an id that reads as one of this start, the events after
 * it. Never a gap: whatever is replayed runs up to the newest event.
 */
class LastEventIdFuzzTest {

    static final String DECODER = "sse_last_event_id";
    static final Fuzzing.Property PROPERTY = LastEventIdFuzzTest::check;

    private static final LiveEvents.Sink QUIET = new LiveEvents.Sink() {
        @Override
        public void wake() {
        }

        @Override
        public void drop(String reason) {
        }
    };

    @Test
    void aResumingClientGetsEveryEventItMissedOrAReset() {
        Fuzzing.run(DECODER, PROPERTY);
    }

    static Fuzzing.Verdict check(Choices in) {
        int ring = in.between(1, 60);
        int queue = in.between(1, 60);
        LiveEvents events = new LiveEvents(ring, 10, 10, queue, new SimpleMeterRegistry());
        int published = in.between(0, 100);
        for (int i = 0; i < published; i++) {
            events.publish("incident.updated", "{\"n\":" + (i + 1) + "}");
        }
        String newest = events.lastEventId();
        String boot = newest.substring(0, newest.lastIndexOf('-'));
        long issued = in.between(0, published);
        String id = switch (in.between(0, 8)) {
            case 0, 1, 2 -> events.id(issued);                                         // one this hub gave
            case 3 -> (in.flip() ? " " : "") + events.id(issued) + (in.flip() ? "\t" : "");
            case 4 -> "0a1b2c3d4e5f-" + issued;                                       // an earlier start's
            case 5 -> boot + "-" + Choices.pickFrom(in, "-1", "+3", "99999999999999999999", "", "1e3", " 1", "0x10", "٣");
            case 6 -> boot + Choices.pickFrom(in, "", "-", "--1", "-1-2");
            case 7 -> null;
            default -> in.text(80);
        };

        LiveEvents.Subscription s = events.subscribe(id, QUIET);

        List<LiveEvents.Event> got = new ArrayList<>();
        for (LiveEvents.Event e = s.poll(); e != null; e = s.poll()) {
            got.add(e);
        }
        boolean ours = id != null && id.trim().equals(events.id(issued));
        long oldestKept = Math.max(1, published - ring + 1);
        if (id == null || id.isBlank()) {
            assertThat(got).as("a new client gets what comes next, nothing old").isEmpty();
            return Fuzzing.accepted();
        }
        if (!got.isEmpty() && got.get(0).type().equals(LiveEvents.RESET)) {
            assertThat(got).hasSize(1);
            // A client that missed more than its queue holds cannot be given all it missed: a reset, not a gap.
            assertThat(ours && issued >= oldestKept - 1 && published - issued <= queue)
                    .as("%s within the ring (%d..%d), %d missed, queue %d: answered with a reset", id, oldestKept - 1, published,
                            published - issued, queue).isFalse();
            return Fuzzing.refused("reset");
        }
        // A replay: every event after some point, in order, up to the newest.
        for (int i = 0; i < got.size(); i++) {
            assertThat(got.get(i).seq()).isEqualTo(published - got.size() + 1 + i);
        }
        if (ours) {
            assertThat(got).as("replay after %s", id).hasSize((int) (published - issued));
        }
        return Fuzzing.accepted();
    }
}
