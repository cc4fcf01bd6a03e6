/**
 * Fault runs, counted end to end: the driver of {@code deploy/bench.sh faults} and what the fault
 * tests ({@code device-sim/src/test/.../e2e}: HubKillIT, PostgresKillIT, CrashIT) share with it.
 *
 * <pre>
 *   Simulation (the site's devices, under load) ──► Ledger: every (device, boot, seq) and how it ended
 *   Alarms: one detector at a time into alarm   ──► Alarm(device, seq, sent at)
 *   Simulation.reboot / sendPoison              ──► a new boot / PoisonAudit.Sent
 *      ... a fault: reboot, poison, kill -9, half-open, power cut, black hole, provider down ...
 *   Settle: agent buffer empty, hub holds what was acknowledged, every alarm's detector has a FIRE
 *   ReadingAudit: acknowledged / stored / lost / duplicated / unexpected (Allowances: poison left
 *                 out, a power cut's broker window counted apart)
 *   PoisonAudit:  poison sent / refused with a reason / stored / dropped in silence
 *   AlarmAudit:   sent / raised / delay / lost / duplicated  (the definition of "raised" is there)
 *   NotificationAudit: webhook notifications of the outage's fires sent / delivered / lost
 * </pre>
 *
 * FaultDriver is the bench's process around these; BlackHoleProxy and WebhookReceiver are the
 * faults it hosts itself (the network or the database connection, and the notification provider). The targets are zero lost
 * and zero duplicated, readings and alarms alike; the method and results are in
 * docs/benchmarks.md, section Faults.
 */
package org.communityguard.sim.bench.faults;
