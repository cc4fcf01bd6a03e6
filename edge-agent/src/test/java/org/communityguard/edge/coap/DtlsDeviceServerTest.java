package org.communityguard.edge.coap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.communityguard.edge.device.DeviceCommand;
import org.communityguard.edge.device.DeviceCommands;
import org.communityguard.edge.device.DeviceIngest;
import org.communityguard.edge.device.DeviceType;
import org.communityguard.edge.device.Provisioning;
import org.communityguard.edge.device.TestSink;
import org.communityguard.edge.identity.DeviceAccess;
import org.communityguard.edge.identity.DeviceAuth;
import org.communityguard.edge.identity.DeviceKeys;
import org.communityguard.edge.identity.IdentityClients;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.scandium.dtls.DtlsHandshakeTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CoAP over DTLS with a pre-shared key per device, against real Scandium clients: the right key
 * gets in, a wrong one fails the handshake, a device speaks only for itself, and plain CoAP is
 * only for the devices the site file lets in without a key.
 */
class DtlsDeviceServerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String SMOKE_KEY = "00112233445566778899aabbccddeeff";
    private static final String MANHOLE_KEY = "ffeeddccbbaa99887766554433221100";
    private static final String SMOKE = "{\"v\":1,\"type\":\"smoke_detector\",\"seq\":1,\"data\":{\"event\":\"alarm\",\"level\":\"alarm\"}}";
    private static final String MANHOLE = "{\"v\":1,\"type\":\"manhole\",\"seq\":1,\"data\":{\"cover_open\":false}}";

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TestSink sink = new TestSink();
    private final List<CoapEndpoint> clients = new ArrayList<>();
    private DeviceCommands commands;
    private CoapDeviceServer server;

    /** smoke-1 and manhole-1 have keys; plain-1 needs none (auth: none), so plain CoAP is served too. */
    @BeforeEach
    void start() throws Exception {
        Path file = dir.resolve("devices.keys");
        Files.writeString(file, "smoke-1:" + SMOKE_KEY + "\nmanhole-1:" + MANHOLE_KEY + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        commands = new DeviceCommands(8, Duration.ofMinutes(10), Clock.systemUTC(), registry);
        DeviceAccess access = new DeviceAccess(Map.of("smoke-1", DeviceAuth.PSK, "manhole-1", DeviceAuth.PSK,
                "plain-1", DeviceAuth.NONE), DeviceAuth.PSK);
        DeviceIngest ingest = new DeviceIngest(sink, Provisioning.of(Map.of("smoke-1", DeviceType.SMOKE_DETECTOR,
                "manhole-1", DeviceType.MANHOLE, "plain-1", DeviceType.MANHOLE)), access, commands, registry,
                Clock.systemUTC(), DeviceIngest.Settings.defaults());
        server = new CoapDeviceServer(new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", 0),
                DeviceKeys.load(file), ingest, commands, 2);
        server.start();
    }

    @AfterEach
    void stop() {
        clients.forEach(CoapEndpoint::destroy);
        server.close();
    }

    private CoapEndpoint dtlsClient(String identity, String hexKey) throws Exception {
        CoapEndpoint endpoint = IdentityClients.coapClient(identity, hexKey);
        clients.add(endpoint);
        return endpoint;
    }

    private CoapEndpoint plainClient() throws Exception {
        return dtlsClient(null, null);
    }

    private Response post(CoapEndpoint client, String scheme, int port, String path, String json) throws Exception {
        Request request = Request.newPost();
        request.setURI(scheme + "://127.0.0.1:" + port + path);
        request.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_JSON);
        request.setPayload(json.getBytes(StandardCharsets.UTF_8));
        client.sendRequest(request);
        return request.waitForResponse(WAIT.toMillis());
    }

    private double rejected(String reason) {
        return registry.counter("edge_readings_rejected_total", "reason", reason).count();
    }

    @Test
    void aDeviceWithItsKeyIsAccepted() throws Exception {
        Response response = post(dtlsClient("smoke-1", SMOKE_KEY), "coaps", server.dtlsPort(), "/events/smoke-1", SMOKE);
        assertThat(response).isNotNull();
        assertThat(response.getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(sink.accepted()).singleElement().satisfies(r -> assertThat(r.deviceId()).isEqualTo("smoke-1"));
    }

    @Test
    void aWrongKeyFailsTheHandshakeAndNothingArrives() throws Exception {
        assertThat(handshakeFailure(dtlsClient("smoke-1", MANHOLE_KEY))).isInstanceOf(DtlsHandshakeTimeoutException.class);
        assertThat(handshakeFailure(dtlsClient("stranger-1", SMOKE_KEY))).isInstanceOf(DtlsHandshakeTimeoutException.class);
        assertThat(sink.offered()).isEmpty();
    }

    /**
     * Sends an alarm for smoke-1 and returns why it could not be sent; fails the test if it got an
     * answer. A DTLS server drops a handshake whose Finished it cannot verify without a word (an
     * alert would help an attacker guess keys), so the client gives up by timeout.
     */
    private Throwable handshakeFailure(CoapEndpoint client) {
        Request request = Request.newPost();
        request.setURI("coaps://127.0.0.1:" + server.dtlsPort() + "/events/smoke-1");
        request.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_JSON);
        request.setPayload(SMOKE);
        client.sendRequest(request);
        await().atMost(WAIT).until(() -> request.getSendError() != null || request.getResponse() != null || request.isTimedOut());
        assertThat(request.getResponse()).isNull();
        return request.getSendError();
    }

    @Test
    void aDevicePostingUnderAnotherIdIsForbiddenAndCounted() throws Exception {
        CoapEndpoint manhole = dtlsClient("manhole-1", MANHOLE_KEY);
        Response forged = post(manhole, "coaps", server.dtlsPort(), "/events/smoke-1", SMOKE);
        assertThat(forged.getCode()).isEqualTo(ResponseCode.FORBIDDEN);
        assertThat(forged.getPayloadString()).isEqualTo("not_authorized: authenticated as manhole-1, which may not speak as smoke-1");
        // Not even as a device that needs no key.
        assertThat(post(manhole, "coaps", server.dtlsPort(), "/telemetry/plain-1", MANHOLE).getCode())
                .isEqualTo(ResponseCode.FORBIDDEN);
        assertThat(post(manhole, "coaps", server.dtlsPort(), "/telemetry/manhole-1", MANHOLE).getCode())
                .isEqualTo(ResponseCode.CHANGED);
        assertThat(rejected("not_authorized")).isEqualTo(2);
        assertThat(sink.accepted()).extracting(r -> r.deviceId()).containsExactly("manhole-1");
    }

    @Test
    void anotherDevicesCommandsAreForbidden() throws Exception {
        commands.send("smoke-1", new DeviceCommand.Siren(true));
        Request request = Request.newGet();
        request.setURI("coaps://127.0.0.1:" + server.dtlsPort() + "/commands/smoke-1");
        dtlsClient("manhole-1", MANHOLE_KEY).sendRequest(request);
        Response response = request.waitForResponse(WAIT.toMillis());
        assertThat(response.getCode()).isEqualTo(ResponseCode.FORBIDDEN);
        assertThat(response.getPayloadString()).doesNotContain("siren");
        assertThat(rejected("not_authorized")).isEqualTo(1);
    }

    @Test
    void plainCoapIsOnlyForDevicesWithoutAKey() throws Exception {
        CoapEndpoint plain = plainClient();
        Response forged = post(plain, "coap", server.port(), "/events/smoke-1", SMOKE);
        assertThat(forged.getCode()).isEqualTo(ResponseCode.FORBIDDEN);
        assertThat(forged.getPayloadString()).startsWith("not_authorized: smoke-1 must prove who it is");
        assertThat(post(plain, "coap", server.port(), "/telemetry/plain-1", MANHOLE).getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(rejected("not_authorized")).isEqualTo(1);
        assertThat(sink.accepted()).extracting(r -> r.deviceId()).containsExactly("plain-1");
    }

    @Test
    void withoutDevicesThatNeedNoKeyThereIsNoPlainCoap() throws Exception {
        server.close();
        server = new CoapDeviceServer(null, new InetSocketAddress("127.0.0.1", 0), DeviceKeys.load(dir.resolve("devices.keys")),
                new DeviceIngest(sink, Provisioning.none(), new DeviceAccess(Map.of(), DeviceAuth.PSK), commands, registry,
                        Clock.systemUTC(), DeviceIngest.Settings.defaults()), commands, 2);
        server.start();
        assertThat(server.port()).isEqualTo(-1);
        assertThat(post(dtlsClient("smoke-1", SMOKE_KEY), "coaps", server.dtlsPort(), "/events/smoke-1", SMOKE).getCode())
                .isEqualTo(ResponseCode.CHANGED);
    }
}
