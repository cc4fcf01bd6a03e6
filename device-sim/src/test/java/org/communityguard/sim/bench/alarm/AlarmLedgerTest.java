package org.communityguard.sim.bench.alarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AlarmLedgerTest {

    private static final long MS = 1_000_000;
    private static final long TIMEOUT = 30_000 * MS;

    @Test
    void anAlarmsLatencyIsItsFirstOpenedEventMinusItsSend() {
        AlarmLedger ledger = new AlarmLedger();
        ledger.sent("smoke-1", "10k", 1_000 * MS);
        ledger.sent("smoke-2", "10k", 2_000 * MS);
        ledger.opened("smoke-2", 2_040 * MS);
        assertThat(ledger.allSeen("10k")).isFalse();
        ledger.opened("smoke-1", 1_015 * MS);
        assertThat(ledger.allSeen("10k")).isTrue();

        AlarmLedger.Tally t = ledger.tally("10k", TIMEOUT);
        assertThat(t.sent()).isEqualTo(2);
        assertThat(t.seen()).isEqualTo(2);
        assertThat(t.lost()).isZero();
        assertThat(t.duplicated()).isZero();
        assertThat(t.latencyNanos()).containsExactly(15 * MS, 40 * MS);
        assertThat(t.problems()).isEmpty();
    }

    @Test
    void noEventOrOneAfterTheTimeoutIsLostAndNamed() {
        AlarmLedger ledger = new AlarmLedger();
        ledger.sent("smoke-1", "max", 0);
        ledger.sent("smoke-2", "max", 0);
        ledger.opened("smoke-2", TIMEOUT + MS);

        AlarmLedger.Tally t = ledger.tally("max", TIMEOUT);
        assertThat(t.seen()).isZero();
        assertThat(t.lost()).isEqualTo(2);
        assertThat(t.latencyNanos()).isEmpty();
        assertThat(t.problems()).hasSize(2)
                .anyMatch(p -> p.startsWith("smoke-1: no incident.opened"))
                .anyMatch(p -> p.startsWith("smoke-2: incident.opened only after 30001 ms"));
    }

    @Test
    void everyFurtherOpenedEventOfADetectorIsADuplicate() {
        AlarmLedger ledger = new AlarmLedger();
        ledger.sent("smoke-1", "50k", 0);
        ledger.opened("smoke-1", 10 * MS);
        ledger.opened("smoke-1", 11 * MS);
        ledger.opened("smoke-1", 12 * MS);

        AlarmLedger.Tally t = ledger.tally("50k", TIMEOUT);
        assertThat(t.seen()).isEqualTo(1);
        assertThat(t.duplicated()).isEqualTo(2);
        assertThat(t.latencyNanos()).containsExactly(10 * MS);
    }

    @Test
    void levelsAreTalliedApartAndStrangersCountedApart() {
        AlarmLedger ledger = new AlarmLedger();
        ledger.sent("smoke-1", "10k", 0);
        ledger.sent("smoke-2", "50k", 0);
        ledger.opened("smoke-2", 5 * MS);
        ledger.opened("smoke-9", 5 * MS);

        assertThat(ledger.tally("10k", TIMEOUT).lost()).isEqualTo(1);
        assertThat(ledger.tally("50k", TIMEOUT).seen()).isEqualTo(1);
        assertThat(ledger.unexpected()).containsExactly("smoke-9");
    }

    @Test
    void aDetectorAlarmsOncePerRun() {
        AlarmLedger ledger = new AlarmLedger();
        ledger.sent("smoke-1", "10k", 0);
        assertThatThrownBy(() -> ledger.sent("smoke-1", "max", 1)).isInstanceOf(IllegalStateException.class);
    }
}
