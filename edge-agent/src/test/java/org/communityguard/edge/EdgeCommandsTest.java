package org.communityguard.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.communityguard.edge.config.Config;
import org.communityguard.edge.config.EdgeSettings;
import org.communityguard.edge.identity.DeviceKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The installer's commands, on the agent's settings: keys printed once on stdout, never in a message. */
class EdgeCommandsTest {

    private static final String SITE = """
            community: c
            device_auth: psk
            devices:
              - {id: smoke-1, type: smoke_detector, building: B1, gateway: gw-1}
              - {id: manhole-1, type: manhole, building: B1, gateway: gw-1, auth: none}
              - {id: lamp-1, type: lamp_post, building: B1, gateway: gw-1}
              - {id: lamp-9, type: lamp_post, building: B1, gateway: gw-other}
            """;

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private Config config(Map<String, String> extra) throws Exception {
        Path site = dir.resolve("site.yaml");
        Files.writeString(site, SITE);
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "EDGE_GATEWAY_ID", "gw-1",
                "EDGE_SITE_FILE", site.toString(),
                "EDGE_DEVICE_KEYS_FILE", dir.resolve("devices.keys").toString()));
        env.putAll(extra);
        return Config.load(EdgeSettings.ALL, null, env);
    }

    private int run(Config config, String... args) {
        return EdgeCommands.run(List.of(args), config, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void provisionMissingKeysOnlyThisGatewaysDevicesThatNeedOneAndHaveNone() throws Exception {
        Config config = config(Map.of());
        assertThat(run(config, "--provision-device", "lamp-1")).isZero();
        out.reset();

        assertThat(run(config, "--provision-missing")).isZero();
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(printed.lines()).singleElement().satisfies(l -> assertThat(l).matches("smoke-1:[0-9a-f]{32}"));
        assertThat(DeviceKeys.load(dir.resolve("devices.keys")).deviceIds()).containsExactlyInAnyOrder("lamp-1", "smoke-1");
        // The key is on stdout, for the installer, and nowhere in what is said about it.
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("1 new keys added")
                .doesNotContain(printed.strip().substring("smoke-1:".length()));
    }

    @Test
    void aDeviceWithAKeyIsNotGivenAnother() throws Exception {
        Config config = config(Map.of());
        assertThat(run(config, "--provision-device", "smoke-1")).isZero();
        assertThat(run(config, "--provision-device", "smoke-1")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("smoke-1 has a key");
        assertThat(out.toString(StandardCharsets.UTF_8).lines()).hasSize(1);
    }

    @Test
    void mosquittoAccountsNeedTheAgentsOwnAccountAndAreWrittenFromTheKeys() throws Exception {
        assertThat(run(config(Map.of()), "--provision-device", "smoke-1", "lamp-1")).isZero();
        Path accounts = dir.resolve("accounts");
        assertThat(run(config(Map.of()), "--mosquitto-accounts", accounts.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("EDGE_BROKER_USERNAME");

        Config config = config(Map.of("EDGE_BROKER_USERNAME", "edge-agent", "EDGE_BROKER_PASSWORD", "agent-password-0123"));
        assertThat(run(config, "--mosquitto-accounts", accounts.toString())).isZero();
        assertThat(Files.readString(accounts.resolve("communityguard.acl"))).contains("user smoke-1\n", "user lamp-1\n", "user edge-agent\n");
        assertThat(Files.readString(accounts.resolve("communityguard.passwd")).lines())
                .extracting(l -> l.substring(0, l.indexOf(':'))).containsExactly("edge-agent", "lamp-1", "smoke-1");
    }

    @Test
    void aCommandWithoutWhatItNeedsSaysSo() throws Exception {
        Config config = config(Map.of());
        assertThat(run(config, "--provision-device")).isEqualTo(2);
        assertThat(run(config, "--mosquitto-accounts")).isEqualTo(2);
        assertThat(run(config, "--provision-missing", "extra")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("needs one or more device ids", "needs the directory",
                "takes no arguments");
        assertThat(Files.exists(dir.resolve("devices.keys"))).isFalse();
    }
}
