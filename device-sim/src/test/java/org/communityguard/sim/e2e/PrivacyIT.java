package org.communityguard.sim.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.communityguard.hub.Hub;
import org.communityguard.sim.SimConfig;
import org.communityguard.sim.Simulation;
import org.communityguard.sim.site.SiteLoader;
import org.communityguard.testkit.Mosquitto;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Privacy at the source: a door-access card number is replaced by its keyed pseudonym before it is
 * written anywhere. The raw number appears in no file of the agent's buffer directory (database,
 * WAL), no line the agent logged (at DEBUG), and no byte the agent sent to the hub; the
 * pseudonym does appear in the uplink bytes, so the search is known to look in the right place.
 */
@ExtendWith(RealServers.class)
class PrivacyIT {

    private static final String CARD = "CARD-9876543210";
    private static final String FACE = "FACE-ID-0042-RAW";

    @Test
    void theRawCredentialIsInNoBufferFileLogLineOrUplinkPayload(TimescaleDb timescale, Mosquitto mosquitto, @TempDir Path tmp)
            throws Exception {
        try (Hub hub = Chain.startHub(Chain.hubEnv(timescale.createDatabase(), 0));
             RecordingProxy proxy = new RecordingProxy(hub.uplinkPort())) {
            int coapPort = Ports.freeUdp();
            Path buffer = tmp.resolve("buffer");
            Path log = tmp.resolve("agent.log");
            Map<String, String> env = Chain.edgeEnv(mosquitto.tcpUrl(), "tcp://127.0.0.1:" + proxy.port(), buffer);
            env.put("EDGE_COAP_PORT", Integer.toString(coapPort));
            env.put("EDGE_METRICS_PORT", Integer.toString(Ports.freeTcp()));
            env.put("EDGE_LOG_LEVEL", "DEBUG");
            try (AgentProcess agent = new AgentProcess(env, log).start();
                 Simulation sim = new Simulation(SimConfig.of(SiteLoader.load(Chain.SITE), mosquitto.tcpUrl(),
                         URI.create("coap://127.0.0.1:" + coapPort)).withInterval(Duration.ZERO)
                         .withDevices(Set.of("door-b1-01", "door-b2-01")))) {
                sim.start();
                assertThat(sim.awaitConnected(Duration.ofSeconds(30))).isTrue();
                sim.access("door-b1-01", CARD, true).get();
                sim.access("door-b2-01", CARD, false).get();
                sim.access("door-b2-01", FACE, true).get();
                await().atMost(Duration.ofSeconds(30)).until(() -> Chain.count(hub,
                        "SELECT count(*) FROM readings WHERE data->>'event' = 'access'") == 3);
                List<String> pseudonyms = List.of(Chain.text(hub, "SELECT string_agg(DISTINCT data->>'subject', ' ')"
                        + " FROM readings WHERE data->>'event' = 'access'").split(" "));
                assertThat(pseudonyms).hasSize(2).allMatch(p -> p.startsWith("psn1:"));

                String uplink = new String(proxy.sent(), StandardCharsets.ISO_8859_1);
                assertThat(uplink).contains(pseudonyms.get(0)).contains(pseudonyms.get(1));
                for (String raw : List.of(CARD, FACE)) {
                    assertThat(uplink).as("uplink bytes").doesNotContain(raw).doesNotContain(digits(raw));
                    try (Stream<Path> files = Files.walk(buffer)) {
                        for (Path f : files.filter(Files::isRegularFile).toList()) {
                            assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).as(f.toString())
                                    .doesNotContain(raw).doesNotContain(digits(raw));
                        }
                    }
                    assertThat(Chain.count(hub, "SELECT count(*) FROM readings WHERE data::text LIKE '%" + digits(raw) + "%'"))
                            .isZero();
                }
            }
            String logged = Files.readString(log);
            assertThat(logged).as("the agent logged at DEBUG").contains("DEBUG");
            assertThat(logged).doesNotContain(CARD).doesNotContain(digits(CARD)).doesNotContain(FACE);
        }
    }

    /** The distinctive part of a credential, in case something reformats the prefix. */
    private static String digits(String raw) {
        return raw.replaceAll("^[A-Z-]+", "");
    }
}
