/**
 * device-sim: a community's field devices, simulated from a site file, speaking the reference
 * device profile v1 (docs/devices.md) to a gateway. Three uses, one API:
 * <ul>
 *   <li>the demo: {@link org.communityguard.sim.DeviceSim} runs next to the hub and an edge agent,
 *       reporting every few seconds and staging scenarios on a timetable ({@code --fire-at 20s
 *       --fire-building B1});</li>
 *   <li>end-to-end tests: a {@link org.communityguard.sim.Simulation} built from a
 *       {@link org.communityguard.sim.SimConfig}, driven by hand ({@code sendTelemetryRound()},
 *       {@code stageFire("B1")}), whose {@link org.communityguard.sim.ledger.Ledger} says which
 *       (device, seq) the gateway acknowledged;</li>
 *   <li>load: the same simulation with many devices and a short interval; all timing shares one
 *       small scheduler and all CoAP devices one UDP socket.</li>
 * </ul>
 * <pre>
 *   site   SiteLoader: YAML → Site (validated)
 *   device SimDevice (LampPost, Manhole, SmokeDetector, DoorAccess): state → Messages, Commands → state
 *   link   DeviceLink: MqttDeviceLink (Paho v3, one client per device) | CoapDeviceLink (shared CoapGateway)
 *   ledger Ledger: every (device, seq) sent → acknowledged | rejected | failed
 * </pre>
 * The flow of one message is drawn in {@link org.communityguard.sim.Simulation}.
 */
package org.communityguard.sim;
