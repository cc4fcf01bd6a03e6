package org.communityguard.edge.device;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A reading sink for tests: keeps what it accepted, and answers as told: accept, say FULL,
 * hold the answer until the test releases it, or break.
 */
public final class TestSink implements ReadingSink {

    public enum Mode { ACCEPT, FULL, HOLD, THROW, FAIL }

    private final List<Reading> accepted = new CopyOnWriteArrayList<>();
    private final List<Reading> offered = new CopyOnWriteArrayList<>();
    private final Queue<Held> held = new ConcurrentLinkedQueue<>();
    private volatile Mode mode = Mode.ACCEPT;

    private record Held(Reading reading, CompletableFuture<Admission> answer) {
    }

    public void mode(Mode mode) {
        this.mode = mode;
    }

    /** Readings the sink accepted, in order. */
    public List<Reading> accepted() {
        return List.copyOf(accepted);
    }

    /** Every reading offered, accepted or not. */
    public List<Reading> offered() {
        return List.copyOf(offered);
    }

    /** Accepts every held reading. */
    public void releaseHeld() {
        Held next;
        while ((next = held.poll()) != null) {
            accepted.add(next.reading());
            next.answer().complete(Admission.ACCEPTED);
        }
    }

    /** Answers FULL to every held reading. */
    public void refuseHeld() {
        Held next;
        while ((next = held.poll()) != null) {
            next.answer().complete(Admission.FULL);
        }
    }

    @Override
    public CompletionStage<Admission> offer(Reading reading) {
        offered.add(reading);
        return switch (mode) {
            case ACCEPT -> {
                accepted.add(reading);
                yield CompletableFuture.completedFuture(Admission.ACCEPTED);
            }
            case FULL -> CompletableFuture.completedFuture(Admission.FULL);
            case HOLD -> {
                CompletableFuture<Admission> answer = new CompletableFuture<>();
                held.add(new Held(reading, answer));
                yield answer;
            }
            case THROW -> throw new IllegalStateException("sink broken");
            case FAIL -> CompletableFuture.failedFuture(new java.io.IOException("disk gone"));
        };
    }
}
