package org.communityguard.sim.bench;

import java.util.List;
import java.util.Locale;

/** Number formatting for the summary, and the RESULT line deploy/bench.sh ends with. */
public final class Report {

    private Report() {
    }

    /** The machine-readable last line: ratio to 2 decimals, rates as integers, latencies to 0.1 ms. */
    static String resultLine(double hubRps, double copyRps, double ackP50Ms, double ackP99Ms) {
        return String.format(Locale.ROOT, "RESULT ingest_ratio=%.2f hub_rps=%d copy_rps=%d ack_p50_ms=%.1f ack_p99_ms=%.1f",
                hubRps / copyRps, Math.round(hubRps), Math.round(copyRps), ackP50Ms, ackP99Ms);
    }

    /** The load curve's keys, each step's percentage in their names; empty without a curve. */
    static String curveKeys(List<IngestBench.CurvePoint> curve) {
        StringBuilder sb = new StringBuilder();
        for (IngestBench.CurvePoint p : curve) {
            sb.append(String.format(Locale.ROOT, " curve_rps_%d=%d curve_ack_p50_ms_%d=%.1f curve_ack_p99_ms_%d=%.1f",
                    p.pct(), Math.round(p.storedRps()), p.pct(), p.ackP50Ms(), p.pct(), p.ackP99Ms()));
            if (!Double.isNaN(p.hubP99Ms())) {
                sb.append(String.format(Locale.ROOT, " curve_hub_p99_ms_%d=%.0f curve_commit_p99_ms_%d=%.0f",
                        p.pct(), p.hubP99Ms(), p.pct(), p.commitP99Ms()));
            }
        }
        return sb.toString();
    }

    /** "1.23 cores", or "n/a" when /proc did not say. */
    static String cores(double cores) {
        return Double.isNaN(cores) ? "n/a" : String.format(Locale.ROOT, "%.2f cores", cores);
    }

    /** CPU microseconds spent per row: what a row costs a component, independent of the rate. */
    static String microsPerRow(double cores, double rowsPerSecond) {
        return Double.isNaN(cores) || rowsPerSecond <= 0 ? "n/a"
                : String.format(Locale.ROOT, "%.1f us/row", cores / rowsPerSecond * 1e6);
    }

    public static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%,d/s", Math.round(perSecond));
    }

    public static String slices(List<Double> slices) {
        StringBuilder sb = new StringBuilder();
        for (double s : slices) {
            sb.append(sb.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%,d", Math.round(s)));
        }
        return sb.length() == 0 ? "-" : sb.toString();
    }

    /** Who used the CPU: the hub (when running), PostgreSQL, this driver, and everything else. */
    static String cpuLine(ProcCpu.Split cpu, double rowsPerSecond) {
        StringBuilder busiest = new StringBuilder();
        for (ProcCpu.Busy b : cpu.busiestOthers()) {
            busiest.append(busiest.length() == 0 ? "" : ", ").append(b.command())
                    .append(String.format(Locale.ROOT, " %.2f", b.cores()));
        }
        return String.format(Locale.ROOT, "hub %s (%s), postgres %s (%s), driver %s (%s), other %s%s; machine busy %s, steal %s",
                cores(cpu.hub()), microsPerRow(cpu.hub(), rowsPerSecond),
                cores(cpu.postgres()), microsPerRow(cpu.postgres(), rowsPerSecond),
                cores(cpu.driver()), microsPerRow(cpu.driver(), rowsPerSecond),
                cores(cpu.other()), busiest.length() == 0 ? "" : " [" + busiest + "]",
                cores(cpu.machineBusy()), cores(cpu.machineSteal()));
    }
}
