package org.communityguard.testkit;

/**
 * The one Mosquitto broker of this test JVM (anonymous access, no persistence). Get it as a test
 * parameter through {@link RealServers}.
 */
public final class Mosquitto {

    private final BrokerBackend backend;

    Mosquitto(BrokerBackend backend) {
        this.backend = backend;
    }

    public String host() {
        return backend.host();
    }

    public int port() {
        return backend.port();
    }

    /** {@code tcp://host:port}, the form MQTT clients such as Paho take. */
    public String tcpUrl() {
        return "tcp://" + host() + ":" + port();
    }

    /**
     * Stops the broker (for fault tests): clients are disconnected and the port refuses
     * connections until {@link #start()}. {@link RealServers} starts it again after each test in
     * case the test does not.
     */
    public void stop() {
        backend.stop();
    }

    /** Starts the broker again on the same host and port; harmless when it is running. */
    public void start() {
        backend.start();
    }

    boolean running() {
        return backend.running();
    }

    @Override
    public String toString() {
        return backend.describe();
    }
}
