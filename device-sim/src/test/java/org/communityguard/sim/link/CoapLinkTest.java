package org.communityguard.sim.link;

import com.fasterxml.jackson.databind.JsonNode;
import org.communityguard.sim.RoundResult;
import org.communityguard.sim.SimConfig;
import org.communityguard.sim.Simulation;
import org.communityguard.sim.site.Site;
import org.communityguard.sim.site.SiteLoader;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The CoAP devices against a real Californium server on an ephemeral loopback port. */
class CoapLinkTest {

    private static final Site SITE = SiteLoader.parse("""
            community: coap-test
            gateways: [{id: gw-1}]
            buildings: [{id: B1}]
            devices:
              - {id: smoke-c-01, type: smoke_detector, building: B1, gateway: gw-1}
              - {id: manhole-c-01, type: manhole, building: B1, gateway: gw-1}
            """, "coap-test.yaml");

    /** One request as the gateway saw it. */
    record Received(String resource, String deviceId, int contentFormat, byte[] payload) {
    }

    /** A scripted answer: code, Max-Age (or null), diagnostic payload. */
    record Answer(ResponseCode code, Long maxAge, String payload) {
    }

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, Queue<Answer>> script = new ConcurrentHashMap<>();
    private final Map<String, String> pendingCommands = new ConcurrentHashMap<>();
    private CoapServer server;
    private Commands commands;
    private Simulation simulation;

    @AfterEach
    void stop() {
        if (simulation != null) {
            simulation.close();
        }
        if (server != null) {
            server.destroy();
        }
    }

    private void startServer(boolean observable) {
        Configuration config = new Configuration(CoapConfig.DEFINITIONS, UdpConfig.DEFINITIONS);
        server = new CoapServer(config);
        server.addEndpoint(new CoapEndpoint.Builder()
                .setConfiguration(config)
                .setInetSocketAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .build());
        commands = new Commands(observable);
        server.add(new Sink("telemetry"), new Sink("events"), commands);
        server.start();
    }

    private void startSimulation() {
        int port = server.getEndpoints().get(0).getAddress().getPort();
        simulation = new Simulation(SimConfig.of(SITE, "tcp://127.0.0.1:1", URI.create("coap://127.0.0.1:" + port))
                .withInterval(Duration.ZERO)
                .withTimeOfDay(LocalTime.NOON)
                .withCommandPoll(Duration.ofMillis(200))
                .withAckTimeout(Duration.ofSeconds(20)));
        simulation.start();
    }

    @Test
    void smokeDetectorsPostJsonAndManholesCborInTheProfileStructure() throws Exception {
        startServer(true);
        startSimulation();

        RoundResult round = simulation.sendTelemetryRound();

        assertThat(round).isEqualTo(new RoundResult(2, 2, 0, 0, 0));
        Received smoke = only("telemetry", "smoke-c-01");
        assertThat(smoke.contentFormat()).isEqualTo(50);
        JsonNode json = Payloads.read(smoke.payload(), false);
        assertProfileBody(json, "smoke_detector");
        assertThat(json.get("data").get("smoke_obscuration_pct_m").isNumber()).isTrue();
        assertThat(json.get("data").get("alarm").isBoolean()).isTrue();

        Received manhole = only("telemetry", "manhole-c-01");
        assertThat(manhole.contentFormat()).isEqualTo(60);
        JsonNode cbor = Payloads.read(manhole.payload(), true);
        assertProfileBody(cbor, "manhole");
        assertThat(cbor.get("data").get("water_below_cover_cm").isNumber()).isTrue();
        assertThat(cbor.get("data").get("cover_open").isBoolean()).isTrue();

        assertThat(simulation.ledger().acknowledged()).containsOnlyKeys("smoke-c-01", "manhole-c-01")
                .allSatisfy((id, seqs) -> assertThat(seqs).containsExactly(0L));
    }

    @Test
    void eventsGoToTheEventsResource() {
        startServer(true);
        startSimulation();

        simulation.pressTestButton("smoke-c-01").join();

        JsonNode event = readJson(only("events", "smoke-c-01"));
        assertThat(event.get("data").get("event").asText()).isEqualTo("test");
        assertThat(event.get("seq").asLong()).isZero();
        assertThat(readJson(only("telemetry", "smoke-c-01")).get("seq").asLong()).isEqualTo(1);
    }

    @Test
    void aBusyGatewayIsRetriedAfterMaxAgeWithTheSameMessage() throws Exception {
        startServer(true);
        script.put("smoke-c-01", new ConcurrentLinkedQueue<>(List.of(
                new Answer(ResponseCode.SERVICE_UNAVAILABLE, 1L, "busy"))));
        startSimulation();

        RoundResult round = simulation.sendTelemetryRound();

        assertThat(round.acknowledged()).isEqualTo(2);
        List<Received> attempts = all("telemetry", "smoke-c-01");
        assertThat(attempts).hasSize(2);
        assertThat(attempts.get(1).payload()).isEqualTo(attempts.get(0).payload());
        assertThat(simulation.ledger().acknowledged("smoke-c-01")).containsExactly(0L);
    }

    @Test
    void aBadRequestAnswerIsRecordedAsARejectionWithItsCode() throws Exception {
        startServer(true);
        script.put("manhole-c-01", new ConcurrentLinkedQueue<>(List.of(
                new Answer(ResponseCode.BAD_REQUEST, null, "h2s_ppm out of range"))));
        startSimulation();

        RoundResult round = simulation.sendTelemetryRound();

        assertThat(round).isEqualTo(new RoundResult(2, 1, 1, 0, 0));
        assertThat(simulation.ledger().rejected().get("manhole-c-01")).containsExactly(Map.entry(0L, "4.00"));
        assertThat(all("telemetry", "manhole-c-01")).hasSize(1);
    }

    @Test
    void commandsArriveByObserveAndAreAcknowledged() {
        startServer(true);
        startSimulation();
        await().atMost(Duration.ofSeconds(20)).until(() -> commands.getObserverCount() >= 2);

        pendingCommands.put("smoke-c-01", "[{\"cmd\":\"siren\",\"on\":true,\"id\":\"k-1\"}]");
        commands.changed();

        await().atMost(Duration.ofSeconds(20)).until(() -> !all("events", "smoke-c-01").isEmpty());
        JsonNode ack = readJson(all("events", "smoke-c-01").get(0));
        assertThat(ack.get("data").get("event").asText()).isEqualTo("command_ack");
        assertThat(ack.get("data").get("id").asText()).isEqualTo("k-1");
        assertThat(simulation.commandsReceived()).singleElement()
                .satisfies(c -> assertThat(c.command().cmd()).isEqualTo("siren"));
    }

    @Test
    void commandsArePolledWhenTheGatewayDoesNotObserveAndGarbageIsSurvived() throws Exception {
        startServer(false);
        pendingCommands.put("manhole-c-01", "not json at all");
        startSimulation();
        await().atMost(Duration.ofSeconds(20)).until(() -> simulation.unreadableCommands() > 0);

        pendingCommands.put("manhole-c-01", "[{\"cmd\":\"siren\",\"on\":true,\"id\":\"k-2\"}]");

        await().atMost(Duration.ofSeconds(20)).until(() -> !all("events", "manhole-c-01").isEmpty());
        JsonNode ack = Payloads.read(all("events", "manhole-c-01").get(0).payload(), true);
        assertThat(ack.get("data").get("id").asText()).isEqualTo("k-2");
        // Polling keeps returning the pending command; it is applied and recorded once.
        int polls = commands.gets.get();
        await().atMost(Duration.ofSeconds(20)).until(() -> commands.gets.get() >= polls + 3);
        assertThat(simulation.commandsReceived()).hasSize(1);
        assertThat(all("events", "manhole-c-01")).hasSize(1);
        assertThat(simulation.sendTelemetryRound().acknowledged()).isEqualTo(2);
    }

    private static void assertProfileBody(JsonNode body, String type) {
        assertThat(body.get("v").asInt()).isEqualTo(1);
        assertThat(body.get("type").asText()).isEqualTo(type);
        assertThat(body.get("ts").isIntegralNumber()).isTrue();
        assertThat(body.get("seq").asLong()).isZero();
        assertThat(body.get("data").isObject()).isTrue();
    }

    private Received only(String resource, String deviceId) {
        List<Received> found = all(resource, deviceId);
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    private List<Received> all(String resource, String deviceId) {
        return received.stream().filter(r -> r.resource().equals(resource) && r.deviceId().equals(deviceId)).toList();
    }

    private static JsonNode readJson(Received r) {
        try {
            return Payloads.read(r.payload(), r.contentFormat() == 60);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Every device id under the path lands here; the device id is the last path segment. */
    private abstract static class PerDevice extends CoapResource {
        PerDevice(String name) {
            super(name);
        }

        @Override
        public Resource getChild(String name) {
            return this;
        }

        static String deviceId(CoapExchange exchange) {
            List<String> path = exchange.getRequestOptions().getUriPath();
            return path.get(path.size() - 1);
        }
    }

    /** {@code POST /telemetry/{id}} and {@code POST /events/{id}}: records, then answers from the script or 2.04. */
    private final class Sink extends PerDevice {
        Sink(String name) {
            super(name);
        }

        @Override
        public void handlePOST(CoapExchange exchange) {
            String id = deviceId(exchange);
            received.add(new Received(getName(), id, exchange.getRequestOptions().getContentFormat(),
                    exchange.getRequestPayload()));
            Answer answer = script.getOrDefault(id, new ConcurrentLinkedQueue<>()).poll();
            if (answer == null) {
                exchange.respond(ResponseCode.CHANGED);
                return;
            }
            if (answer.maxAge() != null) {
                exchange.setMaxAge(answer.maxAge());
            }
            exchange.respond(answer.code(), answer.payload());
        }
    }

    /** {@code GET /commands/{id}}: the device's pending commands as a JSON array. */
    private final class Commands extends PerDevice {
        final AtomicInteger gets = new AtomicInteger();

        Commands(boolean observable) {
            super("commands");
            setObservable(observable);
        }

        @Override
        public void handleGET(CoapExchange exchange) {
            gets.incrementAndGet();
            String pending = pendingCommands.getOrDefault(deviceId(exchange), "[]");
            exchange.respond(ResponseCode.CONTENT, pending.getBytes(StandardCharsets.UTF_8), 50);
        }
    }
}
