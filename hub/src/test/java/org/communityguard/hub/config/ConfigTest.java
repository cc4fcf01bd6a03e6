package org.communityguard.hub.config;

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
    void defaultsApplyWhenNothingIsSet() {
        Config c = Config.load(HubSettings.ALL, null, Map.of());

        assertThat(c.get(HubSettings.HTTP_PORT)).isEqualTo(8080);
        assertThat(c.get(HubSettings.INGEST_RETRY_TIMEOUT)).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.get(HubSettings.DB_URL)).isEmpty();
    }

    @Test
    void environmentOverridesTheFile() throws IOException {
        Path yaml = dir.resolve("hub.yaml");
        Files.writeString(yaml, """
                http:
                  port: 9000
                uplink.port: 1999
                ingest:
                  retry-timeout: 2m
                """);

        Config c = Config.load(HubSettings.ALL, yaml, Map.of("HUB_HTTP_PORT", "9100"));

        assertThat(c.get(HubSettings.HTTP_PORT)).isEqualTo(9100);
        assertThat(c.get(HubSettings.UPLINK_PORT)).isEqualTo(1999);
        assertThat(c.get(HubSettings.INGEST_RETRY_TIMEOUT)).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void everyProblemIsReportedWithItsKey() throws IOException {
        Path yaml = dir.resolve("hub.yaml");
        Files.writeString(yaml, "htp:\n  port: 9000\n");

        assertThatThrownBy(() -> Config.load(HubSettings.ALL, yaml,
                Map.of("HUB_HTTP_PORT", "eighty", "HUB_INGEST_WRITERS", "0", "HUB_ADMIN_PASSWORD", "short")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown setting 'htp.port'")
                .hasMessageContaining("HUB_HTTP_PORT: 'eighty' is not a whole number")
                .hasMessageContaining("HUB_INGEST_WRITERS: 0 is outside 1..64 threads")
                .hasMessageContaining("HUB_ADMIN_PASSWORD: the value is not 8 or more characters")
                .hasMessageNotContaining("short");
    }

    @Test
    void gatewayListIsChecked() {
        assertThat(Config.load(HubSettings.ALL, null, Map.of("HUB_UPLINK_GATEWAYS", "gw-1:0123456789abcdef,gw-2:fedcba9876543210"))
                .get(HubSettings.UPLINK_GATEWAYS)).contains("gw-2");
        assertThatThrownBy(() -> Config.load(HubSettings.ALL, null, Map.of("HUB_UPLINK_GATEWAYS", "gw 1:short")))
                .hasMessageContaining("HUB_UPLINK_GATEWAYS");
    }

    @Test
    void configurationReferenceIsCurrent() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "configuration.md"));

        assertThat(doc).as("docs/configuration.md is out of date: run bash deploy/config-reference.sh").contains(Config.markdownTable(HubSettings.ALL));
    }

    /** The log level is logback's, read from the environment by logback.xml, not a setting: listed all the same. */
    @Test
    void configurationReferenceListsTheEnvironmentLogbackReads() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "configuration.md"));

        assertThat(LogbackVariables.documentationRows(Path.of("src/main/resources/logback.xml")))
                .as("the variables logback.xml reads").anySatisfy(row -> assertThat(row).contains("HUB_LOG_LEVEL"))
                .allSatisfy(row -> assertThat(doc).as("docs/configuration.md is out of date: run bash deploy/config-reference.sh")
                        .contains(row));
    }
}
