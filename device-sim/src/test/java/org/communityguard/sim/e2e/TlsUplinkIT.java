package org.communityguard.sim.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import javax.net.SocketFactory;
import org.communityguard.edge.EdgeAgent;
import org.communityguard.edge.config.EdgeSettings;
import org.communityguard.edge.uplink.UplinkTls;
import org.communityguard.hub.Hub;
import org.communityguard.sim.SimConfig;
import org.communityguard.sim.Simulation;
import org.communityguard.sim.site.SiteLoader;
import org.communityguard.testkit.Mosquitto;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TestCa;
import org.communityguard.testkit.TimescaleDb;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The uplink over TLS with a CA made in the test: the agent verifies the hub's certificate and
 * host name and presents its client certificate; readings arrive. A client that trusts another
 * CA, or brings no client certificate, is not let in.
 */
@ExtendWith(RealServers.class)
class TlsUplinkIT {

    @Test
    void readingsTravelOverTlsAndOnlyVerifiedPeersConnect(TimescaleDb timescale, Mosquitto mosquitto, @TempDir Path tmp)
            throws Exception {
        TestCa ca = new TestCa("CommunityGuard test CA");
        Path caPem = ca.writeCert(tmp.resolve("ca.crt"));
        Path[] server = ca.issueServer(tmp, "hub");
        Path clientP12 = ca.issueClientPkcs12(tmp.resolve("gateway.p12"), Chain.GATEWAY, "p12-password");
        Path otherCaPem = new TestCa("Somebody else's CA").writeCert(tmp.resolve("other-ca.crt"));

        Map<String, String> hubEnv = Chain.hubEnv(timescale.createDatabase(), 0);
        hubEnv.put("HUB_UPLINK_TLS_CERT", server[0].toString());
        hubEnv.put("HUB_UPLINK_TLS_KEY", server[1].toString());
        hubEnv.put("HUB_UPLINK_TLS_CLIENT_CA", caPem.toString());
        try (Hub hub = Chain.startHub(hubEnv)) {
            String url = "ssl://localhost:" + hub.uplinkPort();
            Map<String, String> env = Chain.edgeEnv(mosquitto.tcpUrl(), url, tmp.resolve("buffer"));
            env.put("EDGE_COAP_PORT", "0");
            env.put("EDGE_METRICS_PORT", "0");
            env.put("EDGE_UPLINK_TLS_CA", caPem.toString());
            env.put("EDGE_UPLINK_TLS_CLIENT_KEYSTORE", clientP12.toString());
            env.put("EDGE_UPLINK_TLS_CLIENT_KEYSTORE_PASSWORD", "p12-password");
            try (EdgeAgent edge = EdgeAgent.start(org.communityguard.edge.config.Config.load(EdgeSettings.ALL, null, env));
                 Simulation sim = new Simulation(SimConfig.of(SiteLoader.load(Chain.SITE), mosquitto.tcpUrl(),
                         URI.create("coap://127.0.0.1:" + edge.coapPort())).withInterval(Duration.ZERO)
                         .withDevices(Set.of("lamp-b1-01", "smoke-b1-01")))) {
                sim.start();
                assertThat(sim.awaitConnected(Duration.ofSeconds(30))).isTrue();
                await().atMost(Duration.ofSeconds(20)).until(edge::uplinkConnected);
                sim.sendTelemetryRound();
                await().atMost(Duration.ofSeconds(20)).until(() -> Chain.count(hub,
                        "SELECT count(DISTINCT device_id) FROM readings WHERE device_id IN ('lamp-b1-01', 'smoke-b1-01')") == 2);
            }

            // The hub's certificate does not chain to the CA this client trusts.
            assertThatThrownBy(() -> connect(url, UplinkTls.socketFactory(otherCaPem.toString(), clientP12.toString(), "p12-password")))
                    .hasStackTraceContaining("PKIX");
            // The right CA, but no client certificate: the hub ends the handshake.
            assertThatThrownBy(() -> connect(url, UplinkTls.socketFactory(caPem.toString(), "", "")));
            // Plain MQTT to the TLS port gets nowhere either.
            assertThatThrownBy(() -> connect("tcp://localhost:" + hub.uplinkPort(), null));
        }
    }

    private static void connect(String url, SocketFactory tls) throws Exception {
        MqttClient c = new MqttClient(url, Chain.GATEWAY, new MemoryPersistence());
        try {
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setUserName(Chain.GATEWAY);
            o.setPassword(Chain.SECRET.getBytes(StandardCharsets.UTF_8));
            o.setConnectionTimeout(5);
            if (tls != null) {
                o.setSocketFactory(tls);
            }
            c.connect(o);
            c.disconnect();
        } finally {
            c.close();
        }
    }
}
