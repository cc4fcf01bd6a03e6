package org.communityguard.sim.bench.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.communityguard.sim.ledger.LedgerSnapshot;
import org.junit.jupiter.api.Test;

/** The driver's command line and the FAULT line deploy/lib/bench-faults.sh reads by key. */
class FaultDriverTest {

    private static final String[] REQUIRED = {"--fault", "hub-kill", "--site", "s.yaml", "--mqtt", "tcp://h:1",
            "--coap", "coap://h:2", "--agent", "http://h:3", "--db-url", "jdbc:postgresql://h/db"};

    @Test
    void requiredOptionsAndOnlyKnownOnes() {
        assertThat(FaultDriver.options(REQUIRED)).containsEntry("fault", "hub-kill").containsEntry("agent", "http://h:3");
        assertThatThrownBy(() -> FaultDriver.options(new String[] {"--fault", "x"})).hasMessageContaining("is required");
        assertThatThrownBy(() -> FaultDriver.options(new String[] {"--speed", "9"})).hasMessageContaining("unknown option");
        assertThatThrownBy(() -> FaultDriver.options(new String[] {"--fault"})).hasMessageContaining("needs a value");
    }

    @Test
    void theFaultLineHasEveryKeyTheScriptReads() {
        SortedMap<String, SortedSet<Long>> sent = new TreeMap<>(Map.of("smoke-1", new TreeSet<>(List.of(1L, 2L, 3L))));
        LedgerSnapshot ledger = new LedgerSnapshot(sent, Map.of(), sent, Map.of(), Map.of(), Map.of());
        String line = FaultDriver.faultLine("agent-kill", ledger,
                new ReadingAudit.Tally(3, 3, 0, 1, 0, List.of()),
                new AlarmAudit.Tally(2, 1, 2, 1, 0, 0, 812, List.of()),
                new NotificationAudit.Tally(4, 3, 1, 0));
        assertThat(line).startsWith("FAULT fault=agent-kill ")
                .contains(" alarms_sent=2 ", " alarms_raised=2 ", " alarm_delay_max_ms=812 ", " alarms_lost=0 ",
                        " readings_sent=3 ", " readings_acknowledged=3 ", " readings_stored=3 ", " readings_lost=0 ",
                        " readings_duplicated=1 ", " notifications_sent=4 ", " notifications_delivered=3 ")
                .endsWith(" notifications_lost=1 notifications_pending_at_end=0");
    }
}
