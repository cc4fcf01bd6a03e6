package org.communityguard.sim.bench;

import java.sql.SQLException;
import java.util.Locale;

/** What is read at both ends of a measured window: CPU from /proc, WAL and checkpoints from the server. */
record Probes(ProcCpu cpu, WalProbe wal) {

    record Sample(ProcCpu.Sample cpu, WalProbe.Sample wal) {
    }

    /** A window's CPU split, WAL bytes written and checkpoints completed. */
    record Window(ProcCpu.Split cpu, long walBytes, long checkpoints) {

        /** Other programs took CPU, or a checkpoint ran: not comparable with a quiet window. */
        boolean disturbed() {
            return !disturbance().isEmpty();
        }

        /** Why the window is disturbed, or "" when it is not. */
        String disturbance() {
            String why = cpu.other() > IngestBench.DISTURBED_CORES
                    ? String.format(Locale.ROOT, "other programs used %.2f cores", cpu.other()) : "";
            if (checkpoints > 0) {
                why += (why.isEmpty() ? "" : ", ") + "a checkpoint ran";
            }
            return why;
        }
    }

    Sample sample() throws SQLException {
        return new Sample(cpu.sample(), wal.sample());
    }

    static Window between(Sample a, Sample b) {
        return new Window(ProcCpu.between(a.cpu(), b.cpu()), b.wal().walBytes() - a.wal().walBytes(),
                b.wal().checkpoints() - a.wal().checkpoints());
    }
}
