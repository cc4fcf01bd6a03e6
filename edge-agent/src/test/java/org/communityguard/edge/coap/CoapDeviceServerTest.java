package org.communityguard.edge.coap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.communityguard.edge.device.DeviceCommand;
import org.communityguard.edge.device.DeviceCommands;
import org.communityguard.edge.device.DeviceIngest;
import org.communityguard.edge.device.DeviceType;
import org.communityguard.edge.device.Kind;
import org.communityguard.edge.device.PendingCommand;
import org.communityguard.edge.device.Provisioning;
import org.communityguard.edge.device.Reading;
import org.communityguard.edge.device.TestSink;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapObserveRelation;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A real Californium client against the server on a free port. */
class CoapDeviceServerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String SMOKE_JSON = "{\"v\":1,\"type\":\"smoke_detector\",\"seq\":1,\"data\":{\"smoke_obscuration_pct_m\":0.4,\"battery_pct\":88}}";

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TestSink sink = new TestSink();
    private final ObjectMapper json = new ObjectMapper();
    private DeviceCommands commands;
    private CoapDeviceServer server;
    private CoapEndpoint clientEndpoint;
    private final List<CoapClient> clients = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        commands = new DeviceCommands(8, Duration.ofMinutes(10), Clock.systemUTC(), registry);
        DeviceIngest ingest = new DeviceIngest(sink, Provisioning.of(Map.of("smoke-1", DeviceType.SMOKE_DETECTOR)),
                commands, registry, Clock.systemUTC(), DeviceIngest.Settings.defaults());
        server = new CoapDeviceServer(new InetSocketAddress("127.0.0.1", 0), ingest, commands, 2);
        server.start();
        clientEndpoint = new CoapEndpoint.Builder().setConfiguration(CoapDeviceServer.configuration(1)).build();
    }

    @AfterEach
    void stop() {
        clients.forEach(CoapClient::shutdown);
        clientEndpoint.destroy();
        server.close();
    }

    private CoapClient client(String path) {
        CoapClient client = new CoapClient("coap://127.0.0.1:" + server.port() + path);
        client.setEndpoint(clientEndpoint);
        client.setTimeout(WAIT.toMillis());
        clients.add(client);
        return client;
    }

    private CoapResponse post(String path, byte[] payload, int contentFormat) throws Exception {
        CoapResponse response = client(path).post(payload, contentFormat);
        assertThat(response).as("a response to POST " + path).isNotNull();
        return response;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void boundToAnEphemeralPort() {
        assertThat(server.port()).isPositive().isNotEqualTo(5683);
    }

    @Test
    void jsonTelemetryIsChangedAndTheReadingArrives() throws Exception {
        CoapResponse response = post("/telemetry/smoke-1", utf8(SMOKE_JSON), MediaTypeRegistry.APPLICATION_JSON);

        assertThat(response.getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(sink.accepted()).hasSize(1);
        Reading reading = sink.accepted().get(0);
        assertThat(reading.deviceId()).isEqualTo("smoke-1");
        assertThat(reading.kind()).isEqualTo(Kind.TELEMETRY);
        assertThat(reading.data().path("battery_pct").intValue()).isEqualTo(88);
        assertThat(registry.get("edge_readings_received_total").tag("protocol", "coap").counter().count()).isEqualTo(1.0);
    }

    @Test
    void cborEventIsChangedAndTheReadingArrives() throws Exception {
        byte[] cbor = new ObjectMapper(new CBORFactory()).writeValueAsBytes(json.readTree(
                "{\"v\":1,\"type\":\"smoke_detector\",\"seq\":8,\"data\":{\"event\":\"alarm\",\"level\":\"alarm\"}}"));

        CoapResponse response = post("/events/smoke-1", cbor, MediaTypeRegistry.APPLICATION_CBOR);

        assertThat(response.getCode()).isEqualTo(ResponseCode.CHANGED);
        Reading reading = sink.accepted().get(0);
        assertThat(reading.kind()).isEqualTo(Kind.EVENT);
        assertThat(reading.isSafetyEvent()).isTrue();
        assertThat(reading.data().path("level").textValue()).isEqualTo("alarm");
    }

    @Test
    void duplicateIsChangedButForwardedOnce() throws Exception {
        assertThat(post("/telemetry/smoke-1", utf8(SMOKE_JSON), MediaTypeRegistry.APPLICATION_JSON).getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(post("/telemetry/smoke-1", utf8(SMOKE_JSON), MediaTypeRegistry.APPLICATION_JSON).getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(sink.accepted()).hasSize(1);
    }

    @Test
    void textTheHubCannotStoreIsBadRequest() throws Exception {
        CoapResponse response = post("/telemetry/smoke-1",
                utf8("{\"v\":1,\"type\":\"smoke_detector\",\"data\":{\"note\":\"a\\u0000b\"}}"), MediaTypeRegistry.APPLICATION_JSON);

        assertThat(response.getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
        assertThat(response.getResponseText()).isEqualTo("bad_text: data.note holds U+0000");
        assertThat(registry.get("edge_readings_rejected_total").tag("reason", "bad_text").counter().count()).isEqualTo(1.0);
        assertThat(sink.offered()).isEmpty();
    }

    @Test
    void badInputIsBadRequestWithADiagnostic() throws Exception {
        CoapResponse response = post("/telemetry/smoke-1",
                utf8("{\"v\":1,\"type\":\"smoke_detector\",\"data\":{\"temp_c\":151}}"), MediaTypeRegistry.APPLICATION_JSON);

        assertThat(response.getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
        assertThat(response.getResponseText()).isEqualTo("bad_field: data.temp_c: 151 is outside -40..150");
        assertThat(response.getOptions().getContentFormat()).isEqualTo(MediaTypeRegistry.TEXT_PLAIN);
        assertThat(sink.offered()).isEmpty();
    }

    @Test
    void typeMismatchAndUnknownEventAreBadRequests() throws Exception {
        CoapResponse mismatch = post("/telemetry/smoke-1", utf8("{\"v\":1,\"type\":\"manhole\",\"data\":{}}"), MediaTypeRegistry.APPLICATION_JSON);
        CoapResponse unknownEvent = post("/events/smoke-1",
                utf8("{\"v\":1,\"type\":\"smoke_detector\",\"data\":{\"event\":\"cover_opened\"}}"), MediaTypeRegistry.APPLICATION_JSON);

        assertThat(mismatch.getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
        assertThat(mismatch.getResponseText()).startsWith("type_mismatch: ");
        assertThat(unknownEvent.getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
        assertThat(unknownEvent.getResponseText()).startsWith("unknown_event: ");
    }

    @Test
    void payloadOverTheLimitIsRequestEntityTooLarge() throws Exception {
        String padding = "x".repeat(1100);
        CoapResponse response = post("/telemetry/smoke-1",
                utf8("{\"v\":1,\"type\":\"smoke_detector\",\"data\":{\"pad\":\"" + padding + "\"}}"), MediaTypeRegistry.APPLICATION_JSON);

        assertThat(response.getCode()).isEqualTo(ResponseCode.REQUEST_ENTITY_TOO_LARGE);
        assertThat(response.getOptions().getSize1()).isEqualTo(1024);
        assertThat(response.getResponseText()).startsWith("too_large: ");
    }

    @Test
    void unknownOrMissingContentFormatIsUnsupported() throws Exception {
        CoapResponse text = post("/telemetry/smoke-1", utf8(SMOKE_JSON), MediaTypeRegistry.TEXT_PLAIN);
        CoapResponse xml = post("/telemetry/smoke-1", utf8(SMOKE_JSON), MediaTypeRegistry.APPLICATION_XML);
        Request noFormat = Request.newPost();
        noFormat.setPayload(utf8(SMOKE_JSON));
        CoapResponse none = client("/telemetry/smoke-1").advanced(noFormat);

        assertThat(text.getCode()).isEqualTo(ResponseCode.UNSUPPORTED_CONTENT_FORMAT);
        assertThat(xml.getCode()).isEqualTo(ResponseCode.UNSUPPORTED_CONTENT_FORMAT);
        assertThat(none.getCode()).isEqualTo(ResponseCode.UNSUPPORTED_CONTENT_FORMAT);
        assertThat(registry.get("edge_readings_rejected_total").tag("reason", "unsupported_format").counter().count()).isEqualTo(3.0);
    }

    @Test
    void fullBufferIsServiceUnavailableWithMaxAge() throws Exception {
        sink.mode(TestSink.Mode.FULL);
        CoapResponse response = post("/telemetry/smoke-1", utf8(SMOKE_JSON), MediaTypeRegistry.APPLICATION_JSON);

        assertThat(response.getCode()).isEqualTo(ResponseCode.SERVICE_UNAVAILABLE);
        assertThat(response.getOptions().getMaxAge()).isEqualTo(30L);

        sink.mode(TestSink.Mode.ACCEPT);
        assertThat(post("/telemetry/smoke-1", utf8(SMOKE_JSON), MediaTypeRegistry.APPLICATION_JSON).getCode())
                .as("the same reading, retried").isEqualTo(ResponseCode.CHANGED);
        assertThat(sink.accepted()).hasSize(1);
    }

    @Test
    void answerWaitsUntilTheSinkHasTheReading() {
        sink.mode(TestSink.Mode.HOLD);
        AtomicReference<CoapResponse> answer = new AtomicReference<>();
        client("/telemetry/smoke-1").post(new CoapHandler() {
            @Override
            public void onLoad(CoapResponse response) {
                answer.set(response);
            }

            @Override
            public void onError() {
            }
        }, utf8(SMOKE_JSON), MediaTypeRegistry.APPLICATION_JSON);

        await().atMost(WAIT).until(() -> sink.offered().size() == 1);
        assertThat(answer.get()).as("no answer while the sink holds the reading").isNull();
        sink.releaseHeld();
        await().atMost(WAIT).untilAsserted(() -> assertThat(answer.get()).isNotNull());
        assertThat(answer.get().getCode()).isEqualTo(ResponseCode.CHANGED);
    }

    @Test
    void unknownPathsAreNotFound() throws Exception {
        assertThat(post("/nothing/smoke-1", utf8(SMOKE_JSON), MediaTypeRegistry.APPLICATION_JSON).getCode()).isEqualTo(ResponseCode.NOT_FOUND);
        assertThat(post("/telemetry", utf8(SMOKE_JSON), MediaTypeRegistry.APPLICATION_JSON).getCode()).isEqualTo(ResponseCode.NOT_FOUND);
        assertThat(post("/telemetry/smoke-1/extra", utf8(SMOKE_JSON), MediaTypeRegistry.APPLICATION_JSON).getCode()).isEqualTo(ResponseCode.NOT_FOUND);
        assertThat(client("/commands").get().getCode()).isEqualTo(ResponseCode.NOT_FOUND);
        assertThat(sink.offered()).isEmpty();
    }

    @Test
    void badDeviceIdInThePathIsBadRequest() throws Exception {
        CoapResponse response = post("/telemetry/smoke%201", utf8(SMOKE_JSON), MediaTypeRegistry.APPLICATION_JSON);
        assertThat(response.getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
        assertThat(response.getResponseText()).startsWith("bad_device_id: ");
    }

    @Test
    void pendingCommandsAreServedAsAJsonArray() throws Exception {
        assertThat(json.readTree(client("/commands/smoke-1").get().getPayload())).isEqualTo(json.readTree("[]"));
        PendingCommand siren = commands.send("smoke-1", new DeviceCommand.Siren(true));

        CoapResponse response = client("/commands/smoke-1").get();

        assertThat(response.getCode()).isEqualTo(ResponseCode.CONTENT);
        assertThat(response.getOptions().getContentFormat()).isEqualTo(MediaTypeRegistry.APPLICATION_JSON);
        assertThat(json.readTree(response.getPayload()))
                .isEqualTo(json.readTree("[{\"cmd\":\"siren\",\"on\":true,\"id\":\"" + siren.id() + "\"}]"));
        assertThat(json.readTree(client("/commands/smoke-2").get().getPayload())).as("another device").isEqualTo(json.readTree("[]"));
    }

    @Test
    void pendingCommandsInCborWhenAskedFor() throws Exception {
        PendingCommand siren = commands.send("smoke-1", new DeviceCommand.Siren(false));

        CoapResponse response = client("/commands/smoke-1").get(MediaTypeRegistry.APPLICATION_CBOR);

        assertThat(response.getOptions().getContentFormat()).isEqualTo(MediaTypeRegistry.APPLICATION_CBOR);
        JsonNode list = new ObjectMapper(new CBORFactory()).readTree(response.getPayload());
        assertThat(list.get(0).path("id").textValue()).isEqualTo(siren.id());
        assertThat(client("/commands/smoke-1").get(MediaTypeRegistry.APPLICATION_XML).getCode()).isEqualTo(ResponseCode.NOT_ACCEPTABLE);
    }

    @Test
    void observersOfADeviceAreNotifiedOfItsCommandsAndTheirAcknowledgement() throws Exception {
        List<String> smoke1 = new CopyOnWriteArrayList<>();
        List<String> smoke2 = new CopyOnWriteArrayList<>();
        CoapObserveRelation relation1 = client("/commands/smoke-1").observeAndWait(collector(smoke1));
        CoapObserveRelation relation2 = client("/commands/smoke-2").observeAndWait(collector(smoke2));
        await().atMost(WAIT).until(() -> smoke1.size() == 1 && smoke2.size() == 1);
        assertThat(smoke1).containsExactly("[]");

        PendingCommand first = commands.send("smoke-1", new DeviceCommand.Siren(true));
        await().atMost(WAIT).until(() -> smoke1.size() == 2);
        assertThat(json.readTree(smoke1.get(1)).get(0).path("id").textValue()).isEqualTo(first.id());

        commands.send("smoke-2", new DeviceCommand.Siren(true));
        await().atMost(WAIT).until(() -> smoke2.size() == 2);

        // The device acknowledges over CoAP: the command leaves the list and observers hear so.
        CoapResponse ack = post("/events/smoke-1", utf8(
                "{\"v\":1,\"type\":\"smoke_detector\",\"data\":{\"event\":\"command_ack\",\"id\":\"" + first.id() + "\"}}"),
                MediaTypeRegistry.APPLICATION_JSON);
        assertThat(ack.getCode()).isEqualTo(ResponseCode.CHANGED);
        await().atMost(WAIT).until(() -> smoke1.size() == 3);

        // Exactly: initial, queued, acknowledged. A notification for smoke-2's command would show here.
        assertThat(smoke1).containsExactly("[]", smoke1.get(1), "[]");
        assertThat(commands.pending("smoke-1")).isEmpty();
        assertThat(commands.pending("smoke-2")).hasSize(1);
        relation1.proactiveCancel();
        relation2.proactiveCancel();
    }

    @Test
    void writesNoCaliforniumPropertiesFile() {
        assertThat(Files.exists(Path.of("Californium3.properties"))).isFalse();
    }

    private static CoapHandler collector(List<String> payloads) {
        return new CoapHandler() {
            @Override
            public void onLoad(CoapResponse response) {
                payloads.add(response.getResponseText());
            }

            @Override
            public void onError() {
            }
        };
    }
}
