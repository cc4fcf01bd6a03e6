/**
 * The driver of {@code deploy/bench.sh alarm}: alarm latency end to end, under background telemetry.
 *
 * <pre>
 *   AlarmSite: one detector per alarm, each in a building of its own (each alarm opens its incident)
 *   Simulation: a detector alarms over CoAP ──► edge agent ──► uplink ──► hub: FIRE incident opened
 *        t0 = System.nanoTime()                                               │
 *   LiveStream: signed in, GET /api/events ◄── incident.opened ───────────────┘  t1 = System.nanoTime()
 *   AlarmLedger: per detector t1 - t0, lost (no event within the timeout), duplicated (further events)
 *   UplinkLoad (package bench): the background gateways, offered per Level on a fixed schedule
 *   Latency, LevelResult, AlarmReport: p50 / p99 / max per level, and the RESULT line
 * </pre>
 *
 * Both times are this JVM's, so no clock skew enters a figure. Nothing here is timed by a unit
 * test; the method is in docs/benchmarks.md, section Alarm latency.
 */
package org.communityguard.sim.bench.alarm;
