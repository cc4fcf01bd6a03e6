package org.communityguard.edge.identity;

import java.util.Objects;

/**
 * Who the transport says sent a message, as far as it can tell. {@link DeviceAccess} decides from
 * it whether the message may speak as the device it names.
 */
public sealed interface Sender {

    /**
     * The sender proved to be {@code deviceId}: its DTLS handshake used that device's key, or the
     * gateway's broker checked its account and let it publish only under its own topics.
     */
    record Proven(String deviceId) implements Sender {
        public Proven {
            Objects.requireNonNull(deviceId, "deviceId");
        }
    }

    /** Plain CoAP: nothing says who sent it. */
    record Anonymous() implements Sender {
    }

    /**
     * MQTT through a broker that let a client in without an account: the message may come from
     * anyone, and nothing in MQTT tells the agent who published it.
     */
    record Unchecked() implements Sender {
    }

    /**
     * An event the broker published for a client that went away (its will), not a PUBLISH that
     * passed the access list: no device sends its events so, and a client can name any topic as
     * its will. (The embedded broker, Moquette 0.17, does not check wills against its access list.)
     */
    record Will() implements Sender {
    }

    Sender ANONYMOUS = new Anonymous();
    Sender UNCHECKED = new Unchecked();
    Sender WILL = new Will();

    static Sender proven(String deviceId) {
        return new Proven(deviceId);
    }
}
