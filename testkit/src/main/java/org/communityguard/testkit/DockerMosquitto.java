package org.communityguard.testkit;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import java.time.Duration;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * Mosquitto in a Testcontainers-managed container. The host port is chosen by us and bound
 * explicitly, so that {@link #stop()} and {@link #start()} (docker stop / docker start) keep it;
 * a port Docker picks would change on every restart.
 */
final class DockerMosquitto implements BrokerBackend {

    static final String IMAGE = "eclipse-mosquitto:2";
    private static final int CONTAINER_PORT = 1883;
    private static final String CONFIG = """
            listener 1883 0.0.0.0
            allow_anonymous true
            persistence false
            max_inflight_messages 0
            max_queued_messages 100000
            log_dest stdout
            """;

    private final GenericContainer<?> container;
    private final int hostPort;
    private boolean running = true;

    private DockerMosquitto(GenericContainer<?> container, int hostPort) {
        this.container = container;
        this.hostPort = hostPort;
    }

    @SuppressWarnings("resource") // closed by close(), at JVM exit
    static DockerMosquitto create() {
        int hostPort = Processes.freePort();
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(IMAGE))
                .withCopyToContainer(Transferable.of(CONFIG), "/mosquitto/config/mosquitto.conf")
                .withExposedPorts(CONTAINER_PORT)
                .withCreateContainerCmdModifier(command -> command.getHostConfig().withPortBindings(
                        new PortBinding(Ports.Binding.bindPort(hostPort), ExposedPort.tcp(CONTAINER_PORT))));
        container.start();
        DockerMosquitto broker = new DockerMosquitto(container, hostPort);
        broker.awaitReady();
        return broker;
    }

    @Override
    public String host() {
        return container.getHost();
    }

    @Override
    public int port() {
        return hostPort;
    }

    @Override
    public synchronized void stop() {
        if (running) {
            DockerClientFactory.instance().client().stopContainerCmd(container.getContainerId()).withTimeout(5).exec();
            running = false;
        }
    }

    @Override
    public synchronized void start() {
        if (!running) {
            DockerClientFactory.instance().client().startContainerCmd(container.getContainerId()).exec();
            running = true;
            awaitReady();
        }
    }

    @Override
    public synchronized boolean running() {
        return running;
    }

    @Override
    public String describe() {
        return "Docker " + IMAGE + " on " + host() + ":" + hostPort;
    }

    @Override
    public synchronized void close() {
        container.stop();
    }

    private void awaitReady() {
        String failure = Readiness.await(Duration.ofSeconds(30), () -> Readiness.acceptsMqtt(host(), hostPort), () -> null);
        if (failure != null) {
            throw new IllegalStateException("testkit: Mosquitto container on port " + hostPort + " " + failure
                    + "; its log:\n" + container.getLogs());
        }
    }
}
