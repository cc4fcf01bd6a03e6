package org.communityguard.sim.ledger;

import org.communityguard.sim.device.Message;
import org.communityguard.sim.link.Outcome;

import java.util.BitSet;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every device sent and how each message ended, by (device, seq). Thread-safe.
 *
 * <p>Seqs of one device are nearly contiguous, so each device keeps bit sets indexed by the
 * distance from its first recorded seq: a long load run costs bits, not a boxed entry per
 * message. Counters are kept alongside so {@link #counts()} is cheap enough to print every second.
 */
public final class Ledger {

    private final Map<String, Book> books = new ConcurrentHashMap<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    /** Call before handing the message to the network, so its outcome always finds it. */
    public void sent(Message message) {
        books.computeIfAbsent(message.deviceId(), id -> new Book(message.seq())).sent(message);
        sent.incrementAndGet();
    }

    /** Records the outcome; only the first outcome of a (device, seq) counts. */
    public void settled(Message message, Outcome outcome) {
        Book book = books.get(message.deviceId());
        if (book == null || !book.settle(message.seq(), outcome)) {
            return;
        }
        switch (outcome.status()) {
            case ACKNOWLEDGED -> acknowledged.incrementAndGet();
            case REJECTED -> rejected.incrementAndGet();
            case FAILED -> failed.incrementAndGet();
        }
    }

    public LedgerCounts counts() {
        // Read settled counters before sent so pending never comes out negative.
        long a = acknowledged.get();
        long r = rejected.get();
        long f = failed.get();
        long s = sent.get();
        return new LedgerCounts(s, a, r, f, s - a - r - f);
    }

    public LedgerSnapshot snapshot() {
        Map<String, SortedSet<Long>> sentSeqs = new TreeMap<>();
        Map<String, SortedSet<Long>> eventSeqs = new TreeMap<>();
        Map<String, SortedSet<Long>> ackedSeqs = new TreeMap<>();
        Map<String, SortedMap<Long, String>> rejectedSeqs = new TreeMap<>();
        Map<String, SortedSet<Long>> failedSeqs = new TreeMap<>();
        Map<String, Long> reasons = new TreeMap<>();
        books.forEach((id, book) -> book.copyInto(id, sentSeqs, eventSeqs, ackedSeqs, rejectedSeqs, failedSeqs, reasons));
        return new LedgerSnapshot(sentSeqs, eventSeqs, ackedSeqs, rejectedSeqs, failedSeqs, reasons);
    }

    /** One device's record. */
    private static final class Book {
        /**
         * Index 0 sits a little before the first seq seen, so a message recorded slightly out of
         * order (a scenario step racing a tick) still has a place.
         */
        private static final long SLACK = 1024;
        private final long firstSeq;
        private final BitSet sent = new BitSet();
        private final BitSet events = new BitSet();
        private final BitSet acknowledged = new BitSet();
        private final BitSet failed = new BitSet();
        private final Map<Integer, String> rejected = new TreeMap<>();
        private final Map<String, Long> failureReasons = new TreeMap<>();

        Book(long firstSeqSeen) {
            this.firstSeq = Math.floorMod(firstSeqSeen - SLACK, 1L << 32);
        }

        /** Position of a seq in the bit sets; seq wraps at 2^32, so distances are taken modulo 2^32. */
        private int index(long seq) {
            long distance = Math.floorMod(seq - firstSeq, 1L << 32);
            if (distance > Integer.MAX_VALUE - 1) {
                throw new IllegalStateException("more than 2^31 messages from one device");
            }
            return (int) distance;
        }

        private long seqAt(int index) {
            return (firstSeq + index) % (1L << 32);
        }

        synchronized void sent(Message message) {
            int i = index(message.seq());
            sent.set(i);
            events.set(i, message.kind() == Message.Kind.EVENT);
        }

        synchronized boolean settle(long seq, Outcome outcome) {
            int i = index(seq);
            if (!sent.get(i) || acknowledged.get(i) || failed.get(i) || rejected.containsKey(i)) {
                return false;
            }
            switch (outcome.status()) {
                case ACKNOWLEDGED -> acknowledged.set(i);
                case REJECTED -> rejected.put(i, outcome.code());
                case FAILED -> {
                    failed.set(i);
                    failureReasons.merge(String.valueOf(outcome.detail()), 1L, Long::sum);
                }
            }
            return true;
        }

        synchronized void copyInto(String id, Map<String, SortedSet<Long>> sentSeqs, Map<String, SortedSet<Long>> eventSeqs,
                                   Map<String, SortedSet<Long>> ackedSeqs, Map<String, SortedMap<Long, String>> rejectedSeqs,
                                   Map<String, SortedSet<Long>> failedSeqs, Map<String, Long> reasons) {
            sentSeqs.put(id, seqs(sent));
            eventSeqs.put(id, seqs(events));
            ackedSeqs.put(id, seqs(acknowledged));
            failedSeqs.put(id, seqs(failed));
            TreeMap<Long, String> codes = new TreeMap<>();
            rejected.forEach((i, code) -> codes.put(seqAt(i), code));
            rejectedSeqs.put(id, Collections.unmodifiableSortedMap(codes));
            failureReasons.forEach((reason, n) -> reasons.merge(reason, n, Long::sum));
        }

        private SortedSet<Long> seqs(BitSet bits) {
            TreeSet<Long> seqs = new TreeSet<>();
            bits.stream().forEach(i -> seqs.add(seqAt(i)));
            return Collections.unmodifiableSortedSet(seqs);
        }
    }
}
