package org.communityguard.sim.bench.gateways;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoredCheckTest {

    private static BitSet seqs(int... values) {
        BitSet b = new BitSet();
        for (int v : values) {
            b.set(v);
        }
        return b;
    }

    @Test
    void everyAcknowledgedReadingStoredOnceIsCorrect() {
        StoredCheck c = new StoredCheck(Map.of("gw-1-smoke-01", seqs(0, 1, 2), "gw-1-lamp-01", seqs(0)));
        c.stored("gw-1-smoke-01", 0, 1);
        c.stored("gw-1-smoke-01", 1, 1);
        c.stored("gw-1-smoke-01", 2, 1);
        c.stored("gw-1-lamp-01", 0, 1);

        assertThat(c.result(3)).isEqualTo(new StoredCheck.Result(4, 4, 0, 0, 0, 3));
    }

    @Test
    void lostDuplicatedAndUnacknowledgedReadingsAreCountedApart() {
        BitSet smoke = seqs(0, 1, 2, 3);
        StoredCheck c = new StoredCheck(Map.of("gw-1-smoke-01", smoke));
        c.stored("gw-1-smoke-01", 0, 1);
        // A resent batch stored again.
        c.stored("gw-1-smoke-01", 1, 2);
        // Never acknowledged: committed while the connection dropped, not yet answered.
        c.stored("gw-1-smoke-01", 4, 1);
        c.stored("gw-9-door-01", 0, 1);

        StoredCheck.Result r = c.result(2);

        assertThat(r.acked()).isEqualTo(4);
        assertThat(r.stored()).isEqualTo(5);
        assertThat(r.lost()).isEqualTo(2);
        assertThat(r.duplicated()).isEqualTo(1);
        assertThat(r.storedUnacknowledged()).isEqualTo(2);
        // The caller's sets are left as they were.
        assertThat(smoke.cardinality()).isEqualTo(4);
    }

    @Test
    void aSequenceNumberBeyondTheDriversRangeIsNotAcknowledged() {
        StoredCheck c = new StoredCheck(Map.of("gw-1-smoke-01", seqs(0)));
        c.stored("gw-1-smoke-01", 4_294_967_295L, 1);
        c.stored("gw-1-smoke-01", -1, 1);

        assertThat(c.result(0).storedUnacknowledged()).isEqualTo(2);
        assertThat(c.result(0).lost()).isEqualTo(1);
    }
}
