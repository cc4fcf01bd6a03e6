package org.communityguard.sim.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.communityguard.edge.EdgeAgent;
import org.communityguard.edge.config.Config;
import org.communityguard.edge.config.EdgeSettings;
import org.communityguard.edge.identity.DeviceKeys;
import org.communityguard.edge.identity.MosquittoAccounts;
import org.communityguard.sim.ReceivedCommand;
import org.communityguard.sim.RoundResult;
import org.communityguard.sim.SimConfig;
import org.communityguard.sim.Simulation;
import org.communityguard.sim.site.Site;
import org.communityguard.sim.site.SiteDevice;
import org.communityguard.sim.site.SiteLoader;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Devices prove who they are, through the real chain: the demo community with a key for every
 * device, device-sim speaking DTLS for its battery devices and logging in to the broker with its
 * accounts, the agent on Mosquitto (its own process, the shipped configuration, with the
 * accounts and access list the agent wrote) or on its embedded broker. A forger tries to raise a
 * fire alarm of smoke-b1-01: without an account, with a wrong password, from lamp-b1-01's own
 * account (publishing under smoke-b1-01's topic, writing a door's command topic, leaving a will
 * on smoke-b1-01's event topic), and over DTLS with manhole-b1-01's key. Every attempt is refused
 * and counted, and no door is released, while the devices' own readings all get through; then a
 * real fire releases B1's doors, so the doors would have told.
 */
class DeviceIdentityIT {

    private static final String ALARM = "{\"v\":1,\"type\":\"smoke_detector\",\"seq\":%d,\"data\":{\"event\":\"alarm\",\"level\":\"alarm\"}}";
    private static final String AGENT_PASSWORD = "agent-broker-password-0123";
    private static final Set<String> B1_DOORS = Set.of("door-b1-01", "door-b1-02");

    @TempDir
    Path tmp;

    /** The demo's site file with a key for every device: no plain CoAP at all. */
    private Path keyedSite() throws Exception {
        Path site = tmp.resolve("site.yaml");
        String demo = Files.readString(Chain.SITE);
        assertThat(demo).contains("\ndevice_auth: none\n");
        Files.writeString(site, demo.replace("\ndevice_auth: none\n", "\ndevice_auth: psk\n"));
        return site;
    }

    private Path keys(Site site) {
        Path file = tmp.resolve("devices.keys");
        DeviceKeys.provision(file, site.devices().stream().map(SiteDevice::id).toList(), new SecureRandom());
        return file;
    }

    @Test
    void throughMosquittoAForgedAlarmIsRefusedAndReleasesNoDoor() throws Exception {
        Path siteFile = keyedSite();
        Site site = SiteLoader.load(siteFile);
        Path keysFile = keys(site);
        MosquittoAccounts.write(tmp.resolve("accounts"), "edge-agent", AGENT_PASSWORD, DeviceKeys.load(keysFile), new SecureRandom());
        try (GatewayBroker broker = GatewayBroker.startWithAccounts(tmp.resolve("mosquitto"), tmp.resolve("accounts"))) {
            Map<String, String> env = env(broker.url(), siteFile, keysFile);
            env.put("EDGE_BROKER_USERNAME", "edge-agent");
            env.put("EDGE_BROKER_PASSWORD", AGENT_PASSWORD);
            try (EdgeAgent edge = EdgeAgent.start(Config.load(EdgeSettings.ALL, null, env))) {
                int refusedBefore = count(broker.log(), "disconnected, not authorised");
                forge(edge, site, keysFile, () -> {
                    // Mosquitto counts in its log: each refused login, and (debug) each denied publish.
                    await().atMost(Duration.ofSeconds(30)).until(() -> broker.log().contains("'devices/smoke-b1-01/event'")
                            && broker.log().contains("'devices/door-b1-01/command'"));
                    String log = broker.log();
                    assertThat(count(log, "disconnected, not authorised") - refusedBefore).isGreaterThanOrEqualTo(2);
                    assertThat(count(log, "Denied PUBLISH")).isGreaterThanOrEqualTo(2);
                });
            }
        }
    }

    @Test
    void throughTheEmbeddedBrokerAForgedAlarmIsRefusedAndReleasesNoDoor() throws Exception {
        Path siteFile = keyedSite();
        Site site = SiteLoader.load(siteFile);
        Path keysFile = keys(site);
        Map<String, String> env = env("", siteFile, keysFile);
        env.put("EDGE_BROKER_EMBEDDED_HOST", "127.0.0.1");
        env.put("EDGE_BROKER_EMBEDDED_PORT", "0");
        try (EdgeAgent edge = EdgeAgent.start(Config.load(EdgeSettings.ALL, null, env))) {
            forge(edge, site, keysFile, () -> {
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> metric(edge, "edge_broker_refused_total{reason=\"publish_denied\"}") >= 2);
                assertThat(metric(edge, "edge_broker_refused_total{reason=\"bad_credentials\"}")).isGreaterThanOrEqualTo(1);
                // Moquette publishes the will without asking the access list; the agent refuses it.
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> metric(edge, "edge_readings_rejected_total{reason=\"not_authorized\"}") == 2);
            });
        }
    }

    /** The agent's settings: the keyed demo site, no hub (linkage acts without one), free ports. */
    private Map<String, String> env(String brokerUrl, Path siteFile, Path keysFile) throws Exception {
        Map<String, String> env = Chain.edgeEnv(brokerUrl, "tcp://127.0.0.1:" + Ports.freeTcp(), tmp.resolve("buffer"));
        env.put("EDGE_SITE_FILE", siteFile.toString());
        env.put("EDGE_DEVICE_KEYS_FILE", keysFile.toString());
        env.put("EDGE_COAP_PORT", "0");
        env.put("EDGE_COAP_DTLS_PORT", "0");
        env.put("EDGE_METRICS_PORT", "0");
        return env;
    }

    /** What a test checks at the broker once the forgeries are sent: that it refused and counted them. */
    @FunctionalInterface
    private interface BrokerCheck {
        void refusedAndCounted() throws Exception;
    }

    private void forge(EdgeAgent edge, Site site, Path keysFile, BrokerCheck broker) throws Exception {
        Map<String, String> keys = org.communityguard.sim.link.DeviceKeys.load(keysFile);
        assertThat(edge.coapPort()).as("no plain CoAP: every device has a key").isEqualTo(-1);
        try (Simulation sim = new Simulation(SimConfig.of(site, edge.brokerUrl(), URI.create("coap://127.0.0.1:9"))
                .withKeys(keys, URI.create("coaps://127.0.0.1:" + edge.coapDtlsPort()))
                .withInterval(Duration.ZERO).withScenarioStep(Duration.ofMillis(300)))) {
            sim.start();
            assertThat(sim.awaitConnected(Duration.ofSeconds(60))).as("every MQTT device logged in with its account").isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> metric(edge, "edge_mqtt_connected") == 1);
            assertThat(metric(edge, "edge_broker_open")).isZero();

            // Every device under its own id: MQTT with its account, CoAP over DTLS with its key.
            RoundResult own = sim.sendTelemetryRound();
            assertThat(own.acknowledged()).as("own readings acknowledged: " + own).isEqualTo(own.sent()).isEqualTo(site.devices().size());

            assertRefused(() -> mqtt(edge, null, null));
            assertRefused(() -> mqtt(edge, "smoke-b1-01", keys.get("lamp-b1-01")));
            MqttClient lamp = mqtt(edge, "lamp-b1-01", keys.get("lamp-b1-01"));
            lamp.getTopic("devices/smoke-b1-01/event").publish(ALARM.formatted(900).getBytes(StandardCharsets.UTF_8), 1, false);
            lamp.getTopic("devices/door-b1-01/command").publish("{\"cmd\":\"door\",\"action\":\"release\",\"id\":\"forged-1\"}"
                    .getBytes(StandardCharsets.UTF_8), 1, false);
            lamp.disconnectForcibly(0, 1_000);
            lamp.close();
            Response dtls = post(dtls("manhole-b1-01", keys.get("manhole-b1-01")),
                    "coaps://127.0.0.1:" + edge.coapDtlsPort() + "/events/smoke-b1-01", ALARM.formatted(901));
            assertThat(dtls.getCode()).isEqualTo(ResponseCode.FORBIDDEN);
            assertThat(metric(edge, "edge_readings_rejected_total{reason=\"not_authorized\"}")).isEqualTo(1);
            willOnAnotherDevicesTopic(edge, keys.get("lamp-b1-01"));
            broker.refusedAndCounted();

            RoundResult again = sim.sendTelemetryRound();
            assertThat(again.acknowledged()).isEqualTo(again.sent());
            assertThat(sim.commandsReceived()).as("commands after the forged alarms").isEmpty();
            assertThat(metric(edge, "edge_linkage_fired_total")).isZero();

            // A real fire in B1: the doors are released, so they would have told.
            sim.stageFire("B1").get();
            await().atMost(Duration.ofSeconds(30)).until(() -> sim.commandsReceived().stream()
                    .map(ReceivedCommand::deviceId).collect(Collectors.toSet()).containsAll(B1_DOORS));
            assertThat(sim.commandsReceived()).filteredOn(c -> c.deviceId().startsWith("door-"))
                    .allSatisfy(c -> assertThat(c.command().id()).isNotEqualTo("forged-1"));
        }
    }

    /** A will is a publish the broker makes for the client: on another device's topic, the access list must stop it too. */
    private void willOnAnotherDevicesTopic(EdgeAgent edge, String lampKey) throws MqttException {
        MqttClient willer = new MqttClient(edge.brokerUrl(), "willer-" + UUID.randomUUID(), new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setUserName("lamp-b1-01");
        options.setPassword(lampKey.toCharArray());
        options.setWill("devices/smoke-b1-01/event", ALARM.formatted(902).getBytes(StandardCharsets.UTF_8), 1, false);
        try {
            willer.connect(options);
            // Dropped without DISCONNECT: the broker publishes the will, if it lets it.
            willer.disconnectForcibly(0, 1_000, false);
        } catch (MqttException e) {
            // Refused at connect for its will: as good.
        }
        willer.close();
    }

    private static MqttClient mqtt(EdgeAgent edge, String user, String password) throws MqttException {
        MqttClient client = new MqttClient(edge.brokerUrl(), "forger-" + UUID.randomUUID(), new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        if (user != null) {
            options.setUserName(user);
            options.setPassword(password.toCharArray());
        }
        try {
            client.connect(options);
        } catch (MqttException e) {
            client.close();
            throw e;
        }
        return client;
    }

    private static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable connect) {
        assertThatThrownBy(connect).isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode())
                .isIn((int) MqttException.REASON_CODE_FAILED_AUTHENTICATION, (int) MqttException.REASON_CODE_NOT_AUTHORIZED,
                        (int) MqttException.REASON_CODE_CONNECTION_LOST));
    }

    private static CoapEndpoint dtls(String identity, String hexKey) throws Exception {
        CoapConfig.register();
        UdpConfig.register();
        DtlsConfig.register();
        Configuration config = Configuration.createStandardWithoutFile();
        config.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY);
        CoapEndpoint endpoint = new CoapEndpoint.Builder().setConfiguration(config)
                .setConnector(new DTLSConnector(DtlsConnectorConfig.builder(config)
                        .setAddress(new InetSocketAddress("127.0.0.1", 0))
                        .setAdvancedPskStore(new AdvancedSinglePskStore(identity, HexFormat.of().parseHex(hexKey))).build()))
                .build();
        endpoint.start();
        return endpoint;
    }

    private static Response post(CoapEndpoint endpoint, String uri, String json) throws InterruptedException {
        try {
            Request request = Request.newPost();
            request.setURI(uri);
            request.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_JSON);
            request.setPayload(json.getBytes(StandardCharsets.UTF_8));
            endpoint.sendRequest(request);
            return request.waitForResponse(30_000);
        } finally {
            endpoint.destroy();
        }
    }

    private static double metric(EdgeAgent edge, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+]+)$").matcher(edge.scrapeMetrics());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static int count(String text, String what) {
        return text.split(Pattern.quote(what), -1).length - 1;
    }
}
