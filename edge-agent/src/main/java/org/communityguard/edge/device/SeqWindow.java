package org.communityguard.edge.device;

/**
 * The recent sequence numbers of one device, for duplicate detection: the highest seen ("top")
 * and which of the {@value #SIZE} numbers up to and including it were seen (the anti-replay
 * window of IPsec and DTLS, as a ring of bits indexed by seq modulo the size). Sequence numbers
 * are 32-bit and wrap, so "ahead" and "behind" use serial number arithmetic (RFC 1982): 0 is one
 * ahead of 4294967295.
 *
 * <p>Why {@value #SIZE}: a CoAP device retransmits an unanswered request for up to 45 s (and a
 * broker redelivers after the gateway restarts), and the copy must still be recognized after the
 * device has sent many newer readings: at the profile's rates that is hours, and even a device
 * reporting ten times a second stays inside the window. 128 bytes per device.
 *
 * <p>A number far behind the window is not called a duplicate: the usual cause is a device that
 * restarted its counter, and refusing its readings until the counter caught up would lose data.
 * The window then starts over from that number. The price is that a copy arriving more than
 * {@value #SIZE} numbers late gets through; the uplink is at-least-once anyway.
 *
 * <p>Not thread-safe: {@link DeviceMemory} guards it.
 */
final class SeqWindow {

    static final int SIZE = 1024;
    private static final long MOD_MASK = 0xFFFF_FFFFL;
    private static final long HALF = 1L << 31;

    private boolean empty = true;
    private long top;
    private final long[] seen = new long[SIZE / 64];

    boolean contains(long seq) {
        if (empty) {
            return false;
        }
        long behind = (top - seq) & MOD_MASK;
        return behind < SIZE && bit(seq);
    }

    void add(long seq) {
        if (empty) {
            restartAt(seq);
            return;
        }
        long ahead = (seq - top) & MOD_MASK;
        if (ahead != 0 && ahead < HALF) {
            if (ahead >= SIZE) {
                java.util.Arrays.fill(seen, 0);
            } else {
                // The numbers between the old top and the new one were not seen (yet).
                for (long s = top + 1; s != top + ahead; s++) {
                    clear(s & MOD_MASK);
                }
            }
            top = seq;
            set(seq);
            return;
        }
        long behind = (top - seq) & MOD_MASK;
        if (behind < SIZE) {
            set(seq);
        } else {
            restartAt(seq);
        }
    }

    private void restartAt(long seq) {
        empty = false;
        top = seq;
        java.util.Arrays.fill(seen, 0);
        set(seq);
    }

    private boolean bit(long seq) {
        int i = (int) (seq % SIZE);
        return (seen[i >>> 6] >>> (i & 63) & 1L) != 0;
    }

    private void set(long seq) {
        int i = (int) (seq % SIZE);
        seen[i >>> 6] |= 1L << (i & 63);
    }

    private void clear(long seq) {
        int i = (int) (seq % SIZE);
        seen[i >>> 6] &= ~(1L << (i & 63));
    }
}
