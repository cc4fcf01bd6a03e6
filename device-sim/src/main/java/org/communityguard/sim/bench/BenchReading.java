package org.communityguard.sim.bench;

/**
 * One reading as a gateway forwards it (docs/uplink.md, "Reading"), with its {@code data}
 * already rendered as compact JSON so both load paths write the very same bytes.
 *
 * @param rx       gateway receive time, epoch ms
 * @param ts       device time, epoch ms (the benchmark's devices always send one)
 * @param dataJson the {@code data} object, compact JSON
 */
public record BenchReading(String device, String type, String kind, long rx, long ts, long seq, String dataJson) {
}
