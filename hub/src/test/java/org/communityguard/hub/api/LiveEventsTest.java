package org.communityguard.hub.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LiveEventsTest {

    /** A client that takes its events only when the test says so. */
    private static final class Client implements LiveEvents.Sink {
        int wakes;
        String dropped;

        @Override
        public void wake() {
            wakes++;
        }

        @Override
        public void drop(String reason) {
            dropped = reason;
        }
    }

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private static List<String> take(LiveEvents.Subscription s) {
        List<String> out = new ArrayList<>();
        for (LiveEvents.Event e = s.poll(); e != null; e = s.poll()) {
            out.add(e.type() + ":" + e.data());
        }
        return out;
    }

    @Test
    void subscribersGetEveryEventFromTheirSubscriptionOnInOrder() {
        LiveEvents events = new LiveEvents(100, 10, 10, 100, registry);
        events.publish("incident.opened", "{\"id\":1}");
        Client client = new Client();
        LiveEvents.Subscription s = events.subscribe(null, client);
        events.publish("incident.opened", "{\"id\":2}");
        events.publish("incident.opened", "{\"id\":3}");
        assertThat(client.wakes).isEqualTo(2);
        assertThat(take(s)).containsExactly("incident.opened:{\"id\":2}", "incident.opened:{\"id\":3}");
    }

    @Test
    void incidentEventsReachOnlyTheClientsThatMaySeeThem() {
        LiveEvents events = new LiveEvents(100, 10, 10, 100, registry);
        String before = events.lastEventId();
        LiveEvents.Subscription g1 = events.subscribe(null, new Client(), a -> "G1".equals(a.grid()), null);
        LiveEvents.Subscription everyone = events.subscribe(null, new Client());
        events.publish("incident.updated", "{\"id\":7,\"grid\":\"G2\"}", new LiveEvents.Audience(7, "G2", "fire", "w2"));
        events.publish("incident.updated", "{\"id\":8,\"grid\":\"G1\"}", new LiveEvents.Audience(8, "G1", "fire", "w1"));
        events.publish("reset", "{}");
        // The other grid's row never reaches the G1 client: only that its incident 7 is gone.
        assertThat(take(g1)).containsExactly("incident.gone:{\"id\":7}", "incident.updated:{\"id\":8,\"grid\":\"G1\"}",
                "reset:{}");
        assertThat(take(everyone)).hasSize(3).doesNotContain("incident.gone:{\"id\":7}");
        // Replayed events are filtered the same way.
        assertThat(take(events.subscribe(before, new Client(), a -> false, null))).containsExactly(
                "incident.gone:{\"id\":7}", "incident.gone:{\"id\":8}", "reset:{}");
    }

    @Test
    void aReconnectingClientGetsWhatItMissed() {
        LiveEvents events = new LiveEvents(100, 10, 10, 100, registry);
        String snapshot = events.lastEventId();
        String first = events.publish("a", "1");
        events.publish("b", "2");
        assertThat(take(events.subscribe(snapshot, new Client()))).containsExactly("a:1", "b:2");
        assertThat(take(events.subscribe(first, new Client()))).containsExactly("b:2");
        assertThat(take(events.subscribe(events.lastEventId(), new Client()))).isEmpty();
    }

    /**
     * Found by LastEventIdFuzzTest: a client that missed more events than its queue holds got the
     * first queue-full of them and no more, a gap it could not see; now it gets a reset.
     */
    @Test
    void aClientThatMissedMoreThanItsQueueHoldsResets() {
        LiveEvents events = new LiveEvents(100, 10, 10, 16, registry);
        String from = events.lastEventId();
        for (int i = 0; i < 20; i++) {
            events.publish("b", "x");
        }
        assertThat(take(events.subscribe(from, new Client()))).containsExactly("reset:{}");
        String closer = events.id(4);
        assertThat(take(events.subscribe(closer, new Client()))).hasSize(16).doesNotContain("reset:{}");
    }

    @Test
    void anIdTooOldOrFromAnotherStartOfTheHubResets() {
        LiveEvents events = new LiveEvents(3, 10, 10, 100, registry);
        String old = events.publish("a", "1");
        for (int i = 0; i < 5; i++) {
            events.publish("b", "x");
        }
        assertThat(take(events.subscribe(old, new Client()))).containsExactly("reset:{}");
        String elsewhere = new LiveEvents(3, 10, 10, 100, registry).publish("a", "1");
        assertThat(take(events.subscribe(elsewhere, new Client()))).containsExactly("reset:{}");
        assertThat(take(events.subscribe("garbage", new Client()))).containsExactly("reset:{}");
    }

    @Test
    void aClientThatFallsBehindIsDroppedAndTheOthersCarryOn() {
        LiveEvents events = new LiveEvents(1000, 10, 10, 16, registry);
        Client slow = new Client();
        Client fast = new Client();
        LiveEvents.Subscription slowSub = events.subscribe(null, slow);
        LiveEvents.Subscription fastSub = events.subscribe(null, fast);
        for (int i = 0; i < 100; i++) {
            events.publish("tick", Integer.toString(i));
            assertThat(take(fastSub)).hasSize(1);
        }
        assertThat(slow.dropped).contains("16 events behind");
        assertThat(fast.dropped).isNull();
        assertThat(slowSub.queued()).as("never more than its queue").isEqualTo(16);
        assertThat(events.clients()).isEqualTo(1);
        assertThat(registry.get("hub.live.clients.dropped").counter().count()).isEqualTo(1.0);
    }

    @Test
    void clientsBeyondTheLimitAreRefused() {
        LiveEvents events = new LiveEvents(10, 2, 2, 10, registry);
        LiveEvents.Subscription one = events.subscribe(null, new Client());
        events.subscribe(null, new Client());
        assertThatThrownBy(() -> events.subscribe(null, new Client()))
                .isInstanceOfSatisfying(HttpError.class, e -> assertThat(e.status()).isEqualTo(503));
        events.unsubscribe(one);
        assertThat(events.subscribe(null, new Client())).isNotNull();
    }
}
