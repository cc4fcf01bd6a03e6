package org.communityguard.sim.link;

import org.communityguard.sim.device.Message;

import java.util.concurrent.CompletableFuture;

/**
 * One device's connection to its gateway: {@link MqttDeviceLink} for mains devices,
 * {@link CoapDeviceLink} for battery devices. No method blocks on the network.
 */
public interface DeviceLink {

    /** Starts connecting (MQTT) or listening for commands (CoAP); retries on its own until closed. */
    void open(Downlink downlink);

    /** Whether a message sent now can reach the gateway (CoAP has no connection: always true). */
    boolean isConnected();

    /** Sends one message; the future completes with its outcome and never completes exceptionally. */
    CompletableFuture<Outcome> send(Message message);

    /**
     * The device drops off the network without saying goodbye: an MQTT device closes its socket
     * without DISCONNECT (so the broker publishes its Last Will), a CoAP device stops listening
     * for commands. {@link #open} brings it back.
     */
    void dropOff();

    /** Leaves cleanly (an MQTT device announces {@code offline}) and frees the resources. */
    void close();
}
