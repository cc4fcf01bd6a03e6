/**
 * The load driver of {@code deploy/bench.sh ingest}: how fast the hub stores readings durably,
 * next to how fast this machine's database takes the same rows by plain COPY.
 *
 * <pre>
 *   Fleet (a gateway's devices) -> BenchReading
 *        |                                  |
 *   UplinkJson: uplink v1 batch             CopyRows: COPY text, as the hub's ReadingStore writes it
 *        |                                  |
 *   UplinkLoad: G MQTT 5 gateways,          CopyLoad: C JDBC connections, COPY into readings,
 *   W batches in flight each, PUBACK only    commit every N rows
 *   after the hub's commit
 *        \______________  ______________/
 *                       IngestBench: warm-up, measured window, CPU split from /proc,
 *                       row-count check, summary and the RESULT line
 * </pre>
 *
 * Nothing here is timed by a unit test: figures come only from a real run, recorded in
 * docs/benchmarks.md.
 */
package org.communityguard.sim.bench;
