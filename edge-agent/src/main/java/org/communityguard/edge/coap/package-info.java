/**
 * The CoAP side of the gateway: {@link org.communityguard.edge.coap.CoapDeviceServer} (bootstrap
 * and lifecycle) with one resource per job: {@code IngestResource} for telemetry and events,
 * {@code CommandsResource} for pending commands.
 */
package org.communityguard.edge.coap;
