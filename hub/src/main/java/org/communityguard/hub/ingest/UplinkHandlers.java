package org.communityguard.hub.ingest;

/** Names of the uplink pipeline's handlers, in pipeline order. */
final class UplinkHandlers {

    private UplinkHandlers() {
    }

    /** Only on a TLS uplink; first, so every handler after it sees plain bytes. */
    static final String TLS = "tls";
    static final String DECODER = "mqtt-decoder";
    static final String ENCODER = "mqtt-encoder";
    static final String IDLE = "keep-alive";
    static final String CONNECT = "connect";
    static final String BATCH = "batch";
}
