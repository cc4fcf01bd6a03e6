package org.communityguard.hub.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's small in-process event bus for pushed updates (the console's live board). Anyone
 * publishes a typed JSON event ({@code incident.opened}, {@code incident.updated}: the
 * {@code console.LiveBoard}, from the incident changes it reads in the database);
 * each subscriber (one per browser, see {@link EventStream}) gets every event from its
 * subscription on, in order.
 *
 * <p>Events are numbered {@code <boot>-<seq>}: the boot part changes with every hub start. The
 * last {@code ringSize} events are kept so a client that reconnects with {@code Last-Event-ID}
 * gets what it missed; one that missed more than that, or comes from an earlier start of the
 * hub, gets a {@code reset} event instead (reload your snapshot).
 *
 * <p>Memory is bounded: each subscriber has a queue of at most {@code queueCapacity} events. A
 * subscriber that falls that far behind (a slow or stalled browser) is dropped, never buffered
 * without limit; its browser reconnects and catches up from the ring, or resets. A client that
 * resumes having missed more than its queue holds gets a reset too, never part of what it missed.
 * At most {@code maxClients} subscribers at once (503 beyond), and {@code maxPerOwner} of one
 * owner (a user: 429 beyond), so one user's tabs or a script cannot take every stream.
 */
public final class LiveEvents {

    private static final Logger log = LoggerFactory.getLogger(LiveEvents.class);

    public static final String RESET = "reset";
    /** Told instead of an incident event to a subscriber who may not see that incident (any more). */
    public static final String GONE = "incident.gone";

    /**
     * Whom an incident event is about: the incident's dispatch, which decides who may receive it
     * ({@code incident.lifecycle.Visibility}). Null fields: not dispatched (yet).
     */
    public record Audience(long incidentId, String grid, String department, String responder) {
    }

    /** One published event; {@code data} is one line of JSON; {@code audience} null: for everyone. */
    public record Event(long seq, String type, String data, Audience audience) {
    }

    /** Where a subscriber's events go: told when there is something to take, or that it was dropped. */
    public interface Sink {
        /** Events are waiting in the subscription; called on the publisher's thread, must not block. */
        void wake();

        /** The subscription is over (too slow); close the client. */
        void drop(String reason);
    }

    private final String boot;
    private final int ringSize;
    private final int maxClients;
    private final int maxPerOwner;
    private final int queueCapacity;
    private final java.util.Map<String, Integer> perOwner = new java.util.HashMap<>();
    private final ArrayDeque<Event> ring = new ArrayDeque<>();
    private final Set<Subscription> subscribers = ConcurrentHashMap.newKeySet();
    private final Counter published;
    private final Counter dropped;
    private final Counter refusedPerOwner;
    private long seq;
    /** What a client over its own limit is told to wait; a tab being closed frees its slot at once. */
    private static final long RETRY_AFTER_S = 5;

    public LiveEvents(int ringSize, int maxClients, int maxPerOwner, int queueCapacity, MeterRegistry registry) {
        byte[] b = new byte[6];
        new SecureRandom().nextBytes(b);
        this.boot = java.util.HexFormat.of().formatHex(b);
        this.ringSize = ringSize;
        this.maxClients = maxClients;
        this.maxPerOwner = maxPerOwner;
        this.queueCapacity = queueCapacity;
        this.published = Counter.builder("hub.live.events.published").description("events published to live clients")
                .register(registry);
        this.dropped = Counter.builder("hub.live.clients.dropped")
                .description("live clients disconnected for falling behind (their queue was full)").register(registry);
        this.refusedPerOwner = Counter.builder("hub.live.clients.refused")
                .description("live streams refused because their user had live.max-clients-per-user open").register(registry);
        Gauge.builder("hub.live.clients", subscribers, Set::size).description("connected live clients").register(registry);
    }

    /** The id of the newest event: read it before a snapshot, subscribe from it after. */
    public synchronized String lastEventId() {
        return id(seq);
    }

    public int clients() {
        return subscribers.size();
    }

    /** Publishes an event to every subscriber; returns its id. Never blocks. */
    public String publish(String type, String json) {
        return publish(type, json, null);
    }

    /**
     * Publishes an incident event: subscribers whose filter does not admit {@code audience} get
     * {@code incident.gone} with the incident's id instead (it may have been on their board
     * before a re-dispatch; the id is all they learn).
     */
    public String publish(String type, String json, Audience audience) {
        List<Subscription> tooSlow = new ArrayList<>(0);
        Event event;
        synchronized (this) {
            event = new Event(++seq, type, json, audience);
            ring.addLast(event);
            if (ring.size() > ringSize) {
                ring.removeFirst();
            }
            for (Subscription s : subscribers) {
                if (!s.offer(event)) {
                    tooSlow.add(s);
                }
            }
        }
        published.increment();
        for (Subscription s : tooSlow) {
            if (release(s)) {
                dropped.increment();
                log.info("live client dropped: {} events behind", queueCapacity);
                s.sink.drop("more than " + queueCapacity + " events behind");
            }
        }
        return id(event.seq());
    }

    /**
     * Subscribes from just after {@code lastEventId} (null: from now on), to every event, for no
     * owner in particular. Throws a 503 when {@code maxClients} are connected.
     */
    public Subscription subscribe(String lastEventId, Sink sink) {
        return subscribe(lastEventId, sink, audience -> true, null);
    }

    /**
     * Subscribes to every event, but incident events only for the incidents {@code sees} admits.
     * Throws a 503 when {@code maxClients} are connected, a 429 when {@code owner} (a user name;
     * null: none) has {@code maxPerOwner} streams open already.
     */
    public Subscription subscribe(String lastEventId, Sink sink, Predicate<Audience> sees, String owner) {
        synchronized (this) {
            if (subscribers.size() >= maxClients) {
                throw new HttpError(503, "too many live clients (" + maxClients + "); retry later");
            }
            if (owner != null && perOwner.getOrDefault(owner, 0) >= maxPerOwner) {
                refusedPerOwner.increment();
                throw HttpError.tooManyRequests("you have " + maxPerOwner + " live streams open already; close one (another tab"
                        + " or device) and retry", RETRY_AFTER_S);
            }
            Subscription s = new Subscription(sink, sees, owner);
            if (lastEventId != null && !lastEventId.isBlank()) {
                replay(lastEventId.trim(), s);
            }
            subscribers.add(s);
            if (owner != null) {
                perOwner.merge(owner, 1, Integer::sum);
            }
            return s;
        }
    }

    public void unsubscribe(Subscription s) {
        release(s);
    }

    /** Removes a subscriber once (true the one time it was there) and gives its owner's slot back. */
    private boolean release(Subscription s) {
        if (!subscribers.remove(s)) {
            return false;
        }
        if (s.owner != null) {
            synchronized (this) {
                perOwner.computeIfPresent(s.owner, (owner, n) -> n > 1 ? n - 1 : null);
            }
        }
        return true;
    }

    /** The wire id of an event number. */
    public String id(long eventSeq) {
        return boot + "-" + eventSeq;
    }

    // Under the lock: what the client missed, or a reset when we cannot tell.
    private void replay(String lastEventId, Subscription s) {
        long last = parse(lastEventId);
        long oldestKept = ring.isEmpty() ? seq + 1 : ring.peekFirst().seq();
        // More missed than the queue holds would be replayed in part: a gap the client never sees.
        if (last < 0 || last > seq || last < oldestKept - 1 || seq - last > queueCapacity) {
            s.offer(new Event(seq, RESET, "{}", null));
            return;
        }
        for (Event e : ring) {
            if (e.seq() > last) {
                s.offer(e);
            }
        }
    }

    private long parse(String id) {
        int dash = id.lastIndexOf('-');
        if (dash <= 0 || !id.substring(0, dash).equals(boot)) {
            return -1;
        }
        try {
            return Long.parseLong(id.substring(dash + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** One client's place in the stream: a bounded queue of events not yet written. */
    public final class Subscription {

        private final Sink sink;
        private final Predicate<Audience> sees;
        private final String owner;
        private final ArrayDeque<Event> queue = new ArrayDeque<>();

        private Subscription(Sink sink, Predicate<Audience> sees, String owner) {
            this.sink = sink;
            this.sees = sees;
            this.owner = owner;
        }

        private boolean offer(Event e) {
            Event admitted = e.audience() == null || sees.test(e.audience()) ? e
                    : new Event(e.seq(), GONE, "{\"id\":" + e.audience().incidentId() + "}", null);
            synchronized (queue) {
                if (queue.size() >= queueCapacity) {
                    return false;
                }
                queue.addLast(admitted);
            }
            sink.wake();
            return true;
        }

        /** The next event to write, or null. */
        public Event poll() {
            synchronized (queue) {
                return queue.pollFirst();
            }
        }

        public int queued() {
            synchronized (queue) {
                return queue.size();
            }
        }

        public String id(Event e) {
            return LiveEvents.this.id(e.seq());
        }
    }
}
