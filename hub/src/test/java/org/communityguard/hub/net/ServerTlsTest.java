package org.communityguard.hub.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.communityguard.hub.config.Config;
import org.communityguard.hub.config.ConfigException;
import org.communityguard.hub.config.HubSettings;
import org.communityguard.testkit.TestCa;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the HTTP port's TLS settings say about themselves at start, before a client connects. */
class ServerTlsTest {

    private static final ServerTls.Files HTTP = new ServerTls.Files("HTTP port", HubSettings.HTTP_TLS_CERT,
            HubSettings.HTTP_TLS_KEY, null);

    private static Config config(Map<String, String> env) {
        return Config.load(HubSettings.ALL, null, env);
    }

    @Test
    void noFilesIsPlainHttp() {
        assertThat(ServerTls.serverContext(config(Map.of()), HTTP)).isNull();
    }

    @Test
    void aCertificateWithoutItsKeyNamesTheMissingSetting(@TempDir Path tmp) throws Exception {
        Path[] server = new TestCa("test CA").issueServer(tmp, "hub");
        assertThatThrownBy(() -> ServerTls.serverContext(config(Map.of("HUB_HTTP_TLS_CERT", server[0].toString())), HTTP))
                .isInstanceOf(ConfigException.class)
                .hasMessage("TLS on the HTTP port needs both HUB_HTTP_TLS_CERT and HUB_HTTP_TLS_KEY");
    }

    @Test
    void aFileThatIsNoKeyStopsTheStartWithTheSettingsToCheck(@TempDir Path tmp) throws Exception {
        Path[] server = new TestCa("test CA").issueServer(tmp, "hub");
        Path notAKey = Files.writeString(tmp.resolve("not-a-key.pem"), "hello\n");
        assertThatThrownBy(() -> ServerTls.serverContext(config(Map.of("HUB_HTTP_TLS_CERT", server[0].toString(),
                "HUB_HTTP_TLS_KEY", notAKey.toString())), HTTP))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("cannot use the HTTP port TLS files (HUB_HTTP_TLS_CERT, HUB_HTTP_TLS_KEY): ");
    }

    @Test
    void aMatchingPairServes(@TempDir Path tmp) throws Exception {
        Path[] server = new TestCa("test CA").issueServer(tmp, "hub");
        assertThat(ServerTls.serverContext(config(Map.of("HUB_HTTP_TLS_CERT", server[0].toString(),
                "HUB_HTTP_TLS_KEY", server[1].toString())), HTTP).isServer()).isTrue();
    }
}
