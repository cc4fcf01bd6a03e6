package org.communityguard.edge.device;

/**
 * The recent sequence numbers of one device, for duplicate detection: the highest seen ("top")
 * and a 64-bit mask of which of the 64 numbers up to and including it were seen (the anti-replay
 * window of IPsec and DTLS). Sequence numbers are 32-bit and wrap, so "ahead" and "behind" use
 * serial number arithmetic (RFC 1982): 0 is one ahead of 4294967295.
 *
 * <p>A number far behind the window is not called a duplicate: the usual cause is a device that
 * restarted its counter, and refusing its readings until the counter caught up would lose data.
 * The window then starts over from that number. The price is that a copy arriving more than 64
 * numbers late gets through; the uplink is at-least-once anyway.
 *
 * <p>Not thread-safe: {@link DeviceMemory} guards it.
 */
final class SeqWindow {

    static final int SIZE = 64;
    private static final long MOD_MASK = 0xFFFF_FFFFL;
    private static final long HALF = 1L << 31;

    private boolean empty = true;
    private long top;
    private long seen;

    boolean contains(long seq) {
        if (empty) {
            return false;
        }
        long behind = (top - seq) & MOD_MASK;
        return behind < SIZE && (seen >>> behind & 1L) != 0;
    }

    void add(long seq) {
        if (empty) {
            restartAt(seq);
            return;
        }
        long ahead = (seq - top) & MOD_MASK;
        if (ahead != 0 && ahead < HALF) {
            seen = ahead >= SIZE ? 0 : seen << ahead;
            seen |= 1L;
            top = seq;
            return;
        }
        long behind = (top - seq) & MOD_MASK;
        if (behind < SIZE) {
            seen |= 1L << behind;
        } else {
            restartAt(seq);
        }
    }

    private void restartAt(long seq) {
        empty = false;
        top = seq;
        seen = 1L;
    }
}
