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
import java.util.function.BiConsumer;

/**
 * What every device sent and how each message ended, by (device, boot, seq). Thread-safe.
 *
 * <p>A boot is the stretch between two restarts of a device's seq counter ({@link #rebooted}):
 * a rebooted device sends seqs 0, 1, 2 ... again, new readings that must not be taken for the
 * old ones. Boots are told apart by the device's clock: every message of a boot carries a
 * {@code ts} at or after the boot's start and before the next boot's (the simulated devices make
 * sure of it), so a message finds its boot, and a stored row its message, by its {@code ts}.
 *
 * <p>Seqs of one device are nearly contiguous, so each device keeps bit sets indexed by the
 * distance from its first recorded seq: a long load run costs bits, not a boxed entry per
 * message. Counters are kept alongside so {@link #counts()} is cheap enough to print every second.
 */
public final class Ledger {

    private final Map<String, Boots> books = new ConcurrentHashMap<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    /** Call before handing the message to the network, so its outcome always finds it. */
    public void sent(Message message) {
        books.computeIfAbsent(message.deviceId(), id -> new Boots()).sent(message);
        sent.incrementAndGet();
    }

    /**
     * The device restarted its seq counter: its messages with a {@code ts} at or after
     * {@code fromTs} belong to a new boot. Messages of earlier boots still find theirs.
     */
    public void rebooted(String deviceId, long fromTs) {
        books.computeIfAbsent(deviceId, id -> new Boots()).reboot(fromTs);
    }

    /** Records the outcome; only the first outcome of a (device, seq) counts. */
    public void settled(Message message, Outcome outcome) {
        Boots boots = books.get(message.deviceId());
        Book book = boots == null ? null : boots.of(message.ts());
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
        Map<String, LedgerSnapshot.Boot> bootsByKey = new TreeMap<>();
        books.forEach((id, boots) -> boots.copyInto(id, bootsByKey, (key, book) ->
                book.copyInto(key, sentSeqs, eventSeqs, ackedSeqs, rejectedSeqs, failedSeqs, reasons)));
        return new LedgerSnapshot(sentSeqs, eventSeqs, ackedSeqs, rejectedSeqs, failedSeqs, reasons, bootsByKey);
    }

    /** One device's boots, the first from the beginning of time, each with its own book. */
    private static final class Boots {
        private final TreeMap<Long, Book> byStart = new TreeMap<>();

        synchronized void sent(Message message) {
            Map.Entry<Long, Book> boot = byStart.floorEntry(message.ts());
            if (boot == null || boot.getValue() == null) {
                // The boot's first message: its seq anchors the book.
                byStart.put(boot == null ? Long.MIN_VALUE : boot.getKey(), new Book(message.seq()));
            }
            byStart.floorEntry(message.ts()).getValue().sent(message);
        }

        synchronized void reboot(long fromTs) {
            if (byStart.isEmpty()) {
                byStart.put(Long.MIN_VALUE, null);
            }
            if (fromTs <= byStart.lastKey()) {
                throw new IllegalArgumentException("a boot starts after the one before: " + fromTs);
            }
            byStart.put(fromTs, null);
        }

        synchronized Book of(long ts) {
            Map.Entry<Long, Book> boot = byStart.floorEntry(ts);
            return boot == null ? null : boot.getValue();
        }

        /** Boot 0 under the device id, later ones under {@link LedgerSnapshot#bootKey}; boots that sent nothing are left out. */
        synchronized void copyInto(String id, Map<String, LedgerSnapshot.Boot> bootsByKey,
                                   BiConsumer<String, Book> copy) {
            int number = 0;
            for (Map.Entry<Long, Book> boot : byStart.entrySet()) {
                Long next = byStart.higherKey(boot.getKey());
                if (boot.getValue() != null) {
                    String key = LedgerSnapshot.bootKey(id, number);
                    bootsByKey.put(key, new LedgerSnapshot.Boot(id, number, boot.getKey(),
                            next == null ? Long.MAX_VALUE : next));
                    copy.accept(key, boot.getValue());
                }
                number++;
            }
        }
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
