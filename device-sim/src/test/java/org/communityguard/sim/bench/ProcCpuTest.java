package org.communityguard.sim.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcCpuTest {

    // /proc/PID/stat: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
    //                 utime stime cutime cstime ...
    private static final String JAVA = "4242 (java) S 1 4242 4242 0 -1 4194560 900 0 0 0 1500 250 30 5 20 0 40";
    private static final String ODD_NAME = "77 (a (b) c) R 1 77 77 0 -1 0 0 0 0 0 10 20 300 400 20 0 1";

    @Test
    void processTicksAreUserPlusSystem() {
        assertThat(ProcCpu.processTicks(JAVA, false)).isEqualTo(1500 + 250);
        // Reaped children (a postmaster's exited workers) are added only when asked for.
        assertThat(ProcCpu.processTicks(JAVA, true)).isEqualTo(1500 + 250 + 30 + 5);
    }

    @Test
    void aCommandWithSpacesAndParenthesesDoesNotShiftTheFields() {
        assertThat(ProcCpu.processTicks(ODD_NAME, true)).isEqualTo(10 + 20 + 300 + 400);
        assertThat(ProcCpu.command(ODD_NAME)).isEqualTo("a (b) c");
    }

    @Test
    void kernelThreadNamesLoseTheirInstancePart() {
        assertThat(ProcCpu.command("12 (kworker/u8:3-events_unbound) I 2 0 0 0 -1 0 0 0 0 0 5 6 0 0")).isEqualTo("kworker");
    }

    @Test
    void machineTicksSplitBusyStealAndIdle() {
        // cpu user nice system idle iowait irq softirq steal guest guest_nice
        ProcCpu.MachineTicks t = ProcCpu.machineTicks("cpu  100 5 50 800 20 3 2 10 0 0");

        assertThat(t.busy()).isEqualTo(100 + 5 + 50 + 3 + 2);
        assertThat(t.steal()).isEqualTo(10);
        assertThat(t.total()).isEqualTo(160 + 10 + 800 + 20);
    }

    @Test
    void theBusiestOthersAreGroupedByCommandLargestFirst() {
        Map<Long, ProcCpu.Other> before = Map.of(
                1L, new ProcCpu.Other("kworker", 100),
                2L, new ProcCpu.Other("kworker", 100),
                3L, new ProcCpu.Other("java", 1000),
                4L, new ProcCpu.Other("sshd", 10));
        Map<Long, ProcCpu.Other> after = Map.of(
                1L, new ProcCpu.Other("kworker", 110),
                2L, new ProcCpu.Other("kworker", 120),
                3L, new ProcCpu.Other("java", 1500),
                4L, new ProcCpu.Other("sshd", 10),
                // Started inside the window.
                5L, new ProcCpu.Other("mvn", 50));

        var busiest = ProcCpu.busiest(before, after, 10.0);

        assertThat(busiest).extracting(ProcCpu.Busy::command).containsExactly("java", "mvn", "kworker");
        assertThat(busiest.get(0).cores()).isCloseTo(0.5, within(1e-9));
        assertThat(busiest.get(2).cores()).isCloseTo(0.03, within(1e-9));
    }
}
