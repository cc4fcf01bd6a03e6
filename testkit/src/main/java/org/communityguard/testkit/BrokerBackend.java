package org.communityguard.testkit;

/** How a Mosquitto broker is run: a local process or a Docker container. */
interface BrokerBackend {

    String host();

    int port();

    void stop();

    void start();

    boolean running();

    /** One line for logs: what runs where. */
    String describe();

    /** Stops the broker and removes its files; called once, at JVM exit. */
    void close();
}
