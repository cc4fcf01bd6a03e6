package org.communityguard.sim.link;

/**
 * How one sent message ended. {@code code} is the CoAP response code of a rejection ("4.00");
 * {@code detail} says why a message was rejected or failed, for logs.
 */
public record Outcome(Status status, String code, String detail) {

    public enum Status {
        /** MQTT: the broker's PUBACK (QoS 1 delivery complete). CoAP: a 2.xx answer (2.04 Changed). */
        ACKNOWLEDGED,
        /** CoAP: a 4.xx answer; the gateway refused the message and will not store it. */
        REJECTED,
        /** No acknowledgement: not connected, connection lost, no answer, a 5.xx. */
        FAILED
    }

    public static Outcome acknowledged() {
        return new Outcome(Status.ACKNOWLEDGED, null, null);
    }

    public static Outcome rejected(String code, String detail) {
        return new Outcome(Status.REJECTED, code, detail);
    }

    public static Outcome failed(String detail) {
        return new Outcome(Status.FAILED, null, detail);
    }
}
