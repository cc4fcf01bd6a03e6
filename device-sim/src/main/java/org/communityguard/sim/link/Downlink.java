package org.communityguard.sim.link;

/** What a link hands up from the gateway. Called on the link's network threads: must not block. */
public interface Downlink {

    /** A command payload: one JSON/CBOR command object, or an array of them (CoAP {@code /commands}). */
    void commands(byte[] payload, boolean cbor);

    /** The gateway explains a rejection on {@code devices/{id}/error} (MQTT only). */
    void gatewayError(byte[] payload);
}
