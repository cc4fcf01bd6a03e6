package org.communityguard.sim.ledger;

import org.communityguard.sim.device.Message;
import org.communityguard.sim.link.Outcome;
import org.communityguard.sim.site.DeviceType;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LedgerTest {

    private final Ledger ledger = new Ledger();

    @Test
    void tracksEverySeqToItsOutcome() {
        Message t0 = telemetry("lamp-1", 0);
        Message e1 = event("lamp-1", 1);
        Message t2 = telemetry("lamp-1", 2);
        Message t3 = telemetry("lamp-1", 3);
        Message s0 = telemetry("smoke-1", 0);
        for (Message m : new Message[] {t0, e1, t2, t3, s0}) {
            ledger.sent(m);
        }
        ledger.settled(t0, Outcome.acknowledged());
        ledger.settled(e1, Outcome.acknowledged());
        ledger.settled(t2, Outcome.failed("not connected"));
        ledger.settled(s0, Outcome.rejected("4.00", "bad temp_c"));

        LedgerSnapshot snapshot = ledger.snapshot();
        assertThat(snapshot.sent()).containsOnlyKeys("lamp-1", "smoke-1");
        assertThat(snapshot.sent().get("lamp-1")).containsExactly(0L, 1L, 2L, 3L);
        assertThat(snapshot.events().get("lamp-1")).containsExactly(1L);
        assertThat(snapshot.acknowledged()).containsEntry("smoke-1", sortedSet());
        assertThat(snapshot.acknowledged("lamp-1")).containsExactly(0L, 1L);
        assertThat(snapshot.acknowledged("nobody")).isEmpty();
        assertThat(snapshot.failed().get("lamp-1")).containsExactly(2L);
        assertThat(snapshot.rejected().get("smoke-1")).containsExactly(Map.entry(0L, "4.00"));
        assertThat(snapshot.pending()).containsEntry("lamp-1", sortedSet(3L)).containsEntry("smoke-1", sortedSet());
        assertThat(snapshot.failureReasons()).containsExactly(Map.entry("not connected", 1L));
        assertThat(snapshot.sentCount()).isEqualTo(5);
        assertThat(snapshot.eventCount()).isEqualTo(1);
        assertThat(snapshot.acknowledgedCount()).isEqualTo(2);
        assertThat(snapshot.rejectedCount()).isEqualTo(1);
        assertThat(snapshot.failedCount()).isEqualTo(1);
        assertThat(snapshot.pendingCount()).isEqualTo(1);
        assertThat(ledger.counts()).isEqualTo(new LedgerCounts(5, 2, 1, 1, 1));
    }

    @Test
    void theFirstOutcomeWinsAndUnknownMessagesAreIgnored() {
        Message m = telemetry("lamp-1", 7);
        ledger.sent(m);
        ledger.settled(m, Outcome.failed("no PUBACK within 30 s"));
        ledger.settled(m, Outcome.acknowledged());
        ledger.settled(telemetry("lamp-1", 8), Outcome.acknowledged());
        ledger.settled(telemetry("ghost", 0), Outcome.acknowledged());

        assertThat(ledger.snapshot().failed().get("lamp-1")).containsExactly(7L);
        assertThat(ledger.snapshot().acknowledged("lamp-1")).isEmpty();
        assertThat(ledger.counts()).isEqualTo(new LedgerCounts(1, 0, 0, 1, 0));
    }

    @Test
    void keepsSeqsAcrossTheWrap() {
        for (long seq : new long[] {4_294_967_294L, 4_294_967_295L, 0, 1}) {
            Message m = telemetry("door-1", seq);
            ledger.sent(m);
            ledger.settled(m, Outcome.acknowledged());
        }
        assertThat(ledger.snapshot().acknowledged("door-1")).containsExactlyInAnyOrder(4_294_967_294L, 4_294_967_295L, 0L, 1L);
    }

    @Test
    void aRebootedDevicesSeqsAreANewBootFoundByDeviceTime() {
        Message first0 = telemetry("lamp-1", 0, 1_000);
        Message first1 = telemetry("lamp-1", 1, 1_100);
        ledger.sent(first0);
        ledger.sent(first1);
        ledger.rebooted("lamp-1", 2_000);
        Message second0 = telemetry("lamp-1", 0, 2_000);
        ledger.sent(second0);
        // The first boot's seq 1 is answered after the reboot: it still settles in its own boot.
        ledger.settled(first1, Outcome.acknowledged());
        ledger.settled(second0, Outcome.failed("no PUBACK"));
        ledger.settled(first0, Outcome.acknowledged());

        LedgerSnapshot snapshot = ledger.snapshot();
        assertThat(snapshot.sent()).containsOnlyKeys("lamp-1", "lamp-1#boot1");
        assertThat(snapshot.acknowledged("lamp-1")).containsExactly(0L, 1L);
        assertThat(snapshot.failed().get("lamp-1#boot1")).containsExactly(0L);
        assertThat(snapshot.boots()).containsEntry("lamp-1", new LedgerSnapshot.Boot("lamp-1", 0, Long.MIN_VALUE, 2_000))
                .containsEntry("lamp-1#boot1", new LedgerSnapshot.Boot("lamp-1", 1, 2_000, Long.MAX_VALUE));
        assertThat(snapshot.keyOf("lamp-1", 1_999)).isEqualTo("lamp-1");
        assertThat(snapshot.keyOf("lamp-1", 2_000)).isEqualTo("lamp-1#boot1");
        assertThat(snapshot.sentCount()).isEqualTo(3);
        assertThat(ledger.counts()).isEqualTo(new LedgerCounts(3, 2, 0, 1, 0));
    }

    @Test
    void aSnapshotIsACopyThatCannotBeChanged() {
        Message m = telemetry("lamp-1", 0);
        ledger.sent(m);
        LedgerSnapshot before = ledger.snapshot();
        ledger.settled(m, Outcome.acknowledged());
        ledger.sent(telemetry("lamp-1", 1));

        assertThat(before.acknowledged("lamp-1")).isEmpty();
        assertThat(before.sent().get("lamp-1")).containsExactly(0L);
        assertThatThrownBy(() -> before.sent().get("lamp-1").add(5L)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> before.acknowledged().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    private static java.util.SortedSet<Long> sortedSet(Long... seqs) {
        return new java.util.TreeSet<>(java.util.List.of(seqs));
    }

    private static Message telemetry(String device, long seq) {
        return telemetry(device, seq, 0);
    }

    private static Message telemetry(String device, long seq, long ts) {
        return new Message(device, DeviceType.LAMP_POST, Message.Kind.TELEMETRY, seq, ts, Map.of("lamp_on", true));
    }

    private static Message event(String device, long seq) {
        return new Message(device, DeviceType.LAMP_POST, Message.Kind.EVENT, seq, 0, Map.of("event", "tamper"));
    }
}
