package org.communityguard.sim.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Where the CPU goes during a measured window, read from /proc (Linux): the hub JVM, the
 * PostgreSQL server (postmaster and every backend), this driver, the whole machine, and the
 * busiest of everything else (kernel threads flushing the disk, other tenants of a shared
 * machine). Cheap enough to read twice per window; without /proc every figure is simply absent.
 */
final class ProcCpu {

    /** Linux reports process and machine times in USER_HZ ticks, 100 per second on every ABI we run on. */
    static final double TICKS_PER_SECOND = 100;

    /** Machine-wide ticks from the first line of /proc/stat. */
    record MachineTicks(long busy, long steal, long total) {
    }

    /** A process not watched by name: its command and cumulative ticks. */
    record Other(String command, long ticks) {
    }

    /** Cumulative CPU seconds at one instant; a missing figure is NaN. */
    record Sample(long nanos, double hub, double postgres, double driver, MachineTicks machine, Map<Long, Other> others) {
    }

    /** A command (kernel thread kind, program) and the cores it used. */
    record Busy(String command, double cores) {
    }

    /**
     * CPU use over a window, in cores (1.0 = one core fully busy); {@code busiestOthers} are the
     * heaviest unwatched commands, largest first.
     */
    record Split(double hub, double postgres, double driver, double machineBusy, double machineSteal, double seconds,
                 List<Busy> busiestOthers) {

        /**
         * The machine's busy time not spent by the hub, PostgreSQL or this driver: the kernel's
         * own threads and whatever else shares the machine. NaN when /proc did not say.
         */
        double other() {
            return machineBusy - (Double.isNaN(hub) ? 0 : hub) - (Double.isNaN(postgres) ? 0 : postgres) - driver;
        }
    }

    private final long hubPid;
    private final long postgresPid;

    /** A pid of 0 means "not watched". */
    ProcCpu(long hubPid, long postgresPid) {
        this.hubPid = hubPid;
        this.postgresPid = postgresPid;
    }

    Sample sample() {
        List<Long> postgres = postgresPid == 0 ? List.of() : tree(postgresPid);
        Set<Long> watched = new HashSet<>(postgres);
        watched.add(hubPid);
        watched.add(ProcessHandle.current().pid());
        return new Sample(System.nanoTime(), hubPid == 0 ? Double.NaN : seconds(List.of(hubPid), false),
                postgresPid == 0 ? Double.NaN : seconds(postgres, true),
                seconds(List.of(ProcessHandle.current().pid()), false), machine(), others(watched));
    }

    static Split between(Sample a, Sample b) {
        double wall = (b.nanos() - a.nanos()) / 1e9;
        double busy = Double.NaN;
        double steal = Double.NaN;
        if (a.machine() != null && b.machine() != null) {
            // Ticks of all CPUs over the wall time give the number of cores behind them.
            double cores = (b.machine().total() - a.machine().total()) / TICKS_PER_SECOND / wall;
            long total = b.machine().total() - a.machine().total();
            if (total > 0) {
                busy = cores * (b.machine().busy() - a.machine().busy()) / total;
                steal = cores * (b.machine().steal() - a.machine().steal()) / total;
            }
        }
        return new Split((b.hub() - a.hub()) / wall, (b.postgres() - a.postgres()) / wall,
                (b.driver() - a.driver()) / wall, busy, steal, wall, busiest(a.others(), b.others(), wall));
    }

    /** The three unwatched commands that used the most CPU between two samples (at least 0.02 cores). */
    static List<Busy> busiest(Map<Long, Other> a, Map<Long, Other> b, double wall) {
        Map<String, Long> ticks = new HashMap<>();
        for (var e : b.entrySet()) {
            Other before = a.get(e.getKey());
            // A process that started inside the window counts from zero.
            long delta = e.getValue().ticks() - (before == null ? 0 : before.ticks());
            ticks.merge(e.getValue().command(), delta, Long::sum);
        }
        return ticks.entrySet().stream()
                .map(e -> new Busy(e.getKey(), e.getValue() / TICKS_PER_SECOND / wall))
                .filter(x -> x.cores() >= 0.02)
                .sorted((x, y) -> Double.compare(y.cores(), x.cores()))
                .limit(3)
                .toList();
    }

    /**
     * The command of a /proc/PID/stat text, with what varies between instances of the same
     * kind of kernel thread cut off: "kworker/u8:3-events_unbound" becomes "kworker".
     */
    static String command(String stat) {
        String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        int cut = comm.indexOf('/');
        return cut > 0 ? comm.substring(0, cut) : comm;
    }

    /**
     * CPU ticks (user + system) of a process from its /proc/PID/stat text; with
     * {@code withReaped}, also those of its children it has already waited for (PostgreSQL's
     * short-lived workers end up there once they exit).
     */
    static long processTicks(String stat, boolean withReaped) {
        // The command name is in parentheses and may itself hold spaces and parentheses.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // f[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17.
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        if (withReaped) {
            ticks += Long.parseLong(f[13]) + Long.parseLong(f[14]);
        }
        return ticks;
    }

    /** Busy, steal and total ticks from the "cpu" line of /proc/stat. */
    static MachineTicks machineTicks(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        // cpu user nice system idle iowait irq softirq steal [guest guest_nice: already in user/nice]
        long user = Long.parseLong(f[1]);
        long nice = Long.parseLong(f[2]);
        long system = Long.parseLong(f[3]);
        long idle = Long.parseLong(f[4]);
        long iowait = Long.parseLong(f[5]);
        long irq = Long.parseLong(f[6]);
        long softirq = Long.parseLong(f[7]);
        long steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
        long busy = user + nice + system + irq + softirq;
        return new MachineTicks(busy, steal, busy + steal + idle + iowait);
    }

    private static List<Long> tree(long pid) {
        List<Long> pids = new ArrayList<>();
        pids.add(pid);
        ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> pids.add(d.pid())));
        return pids;
    }

    /** Only the root of a tree counts its reaped children; the others' live times are added directly. */
    private static double seconds(List<Long> pids, boolean reapedOfRoot) {
        long ticks = 0;
        boolean any = false;
        for (int i = 0; i < pids.size(); i++) {
            try {
                ticks += processTicks(Files.readString(Path.of("/proc", pids.get(i).toString(), "stat")),
                        reapedOfRoot && i == 0);
                any = true;
            } catch (IOException | RuntimeException e) {
                // The process ended between listing and reading: its time is in its parent's reaped total.
            }
        }
        return any ? ticks / TICKS_PER_SECOND : Double.NaN;
    }

    private static Map<Long, Other> others(Set<Long> watched) {
        Map<Long, Other> out = new HashMap<>();
        try (Stream<Path> dirs = Files.list(Path.of("/proc"))) {
            dirs.map(d -> d.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit)).forEach(n -> {
                long pid = Long.parseLong(n);
                if (watched.contains(pid)) {
                    return;
                }
                try {
                    String stat = Files.readString(Path.of("/proc", n, "stat"));
                    out.put(pid, new Other(command(stat), processTicks(stat, false)));
                } catch (IOException | RuntimeException e) {
                    // Gone meanwhile: it no longer matters.
                }
            });
        } catch (IOException e) {
            // No /proc: no breakdown.
        }
        return out;
    }

    private static MachineTicks machine() {
        try (var lines = Files.lines(Path.of("/proc/stat"))) {
            return lines.findFirst().map(ProcCpu::machineTicks).orElse(null);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
