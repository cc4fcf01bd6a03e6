package org.communityguard.edge.device;

import java.util.concurrent.CompletionStage;

/**
 * Where validated readings go: the uplink buffer in the agent, a list in tests.
 *
 * <p>Asynchronous because a durable buffer confirms a write only once it is on disk; the
 * device is acknowledged (CoAP 2.04, MQTT PUBACK to the broker) when the stage completes.
 */
@FunctionalInterface
public interface ReadingSink {

    CompletionStage<Admission> offer(Reading reading);

    enum Admission {
        /** Buffered: acknowledge the device. */
        ACCEPTED,
        /** The buffer is full: tell the device to retry later (CoAP 5.03, MQTT: no ack). */
        FULL
    }
}
