package org.communityguard.edge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.communityguard.testkit.LogbackVariables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {

    @TempDir
    Path dir;

    @Test
    void fileThenEnvironment() throws IOException {
        Path yaml = dir.resolve("edge.yaml");
        Files.writeString(yaml, "gateway:\n  id: gw-north\nuplink:\n  linger: 250ms\n  window: 8\n");

        Config c = Config.load(EdgeSettings.ALL, yaml, Map.of("EDGE_UPLINK_WINDOW", "32"));

        assertThat(c.get(EdgeSettings.GATEWAY_ID)).isEqualTo("gw-north");
        assertThat(c.get(EdgeSettings.UPLINK_LINGER)).isEqualTo(Duration.ofMillis(250));
        assertThat(c.get(EdgeSettings.UPLINK_WINDOW)).isEqualTo(32);
        assertThat(c.get(EdgeSettings.COAP_PORT)).isEqualTo(5683);
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> Config.load(EdgeSettings.ALL, null,
                Map.of("EDGE_GATEWAY_ID", "gw one", "EDGE_PRIVACY_PSEUDONYM_KEY", "too-short", "EDGE_COAP_PORT", "70000")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("EDGE_GATEWAY_ID: 'gw one' is not 1-64 characters")
                .hasMessageContaining("EDGE_PRIVACY_PSEUDONYM_KEY: the value is not 32 or more characters")
                .hasMessageContaining("EDGE_COAP_PORT: 70000 is outside 0..65535")
                .hasMessageNotContaining("too-short");
    }

    @Test
    void configurationReferenceIsCurrent() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "configuration.md"));

        assertThat(doc).as("docs/configuration.md is out of date: run bash deploy/config-reference.sh").contains(Config.markdownTable(EdgeSettings.ALL));
    }

    /** The log level is logback's, read from the environment by logback.xml, not a setting: listed all the same. */
    @Test
    void configurationReferenceListsTheEnvironmentLogbackReads() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "configuration.md"));

        assertThat(LogbackVariables.documentationRows(Path.of("src/main/resources/logback.xml")))
                .as("the variables logback.xml reads").anySatisfy(row -> assertThat(row).contains("EDGE_LOG_LEVEL"))
                .allSatisfy(row -> assertThat(doc).as("docs/configuration.md is out of date: run bash deploy/config-reference.sh")
                        .contains(row));
    }
}
