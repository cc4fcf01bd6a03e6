package org.communityguard.hub.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How long each kind of data is kept (docs/retention.md): days or years, or off for ever. */
class RetentionSettingTest {

    private final SettingType.Retention type = new SettingType.Retention(Duration.ofDays(1), Duration.ofDays(100 * 365));

    @Test
    void daysYearsAndOff() {
        assertThat(type.parse("400d")).isEqualTo(Duration.ofDays(400));
        assertThat(type.parse(" 5y ")).as("a year is 365 days").isEqualTo(Duration.ofDays(5 * 365));
        assertThat(type.parse("off")).as("kept for ever").isEqualTo(Duration.ZERO);
        assertThat(type.parse("OFF")).isEqualTo(Duration.ZERO);
    }

    @Test
    void anUnquotedOffInTheFileIsOffNotABoolean(@TempDir Path dir) throws IOException {
        Path yaml = dir.resolve("hub.yaml");
        Files.writeString(yaml, "retention:\n  audit: off\n  personal: 90d\n");
        Config c = Config.load(HubSettings.ALL, yaml, Map.of());
        assertThat(c.get(HubSettings.RETENTION_AUDIT)).isEqualTo(Duration.ZERO);
        assertThat(c.get(HubSettings.RETENTION_PERSONAL)).isEqualTo(Duration.ofDays(90));
    }

    @Test
    void formattedAsWritten() {
        assertThat(type.format(Duration.ofDays(1825))).isEqualTo("5y");
        assertThat(type.format(Duration.ofDays(400))).isEqualTo("400d");
        assertThat(type.format(Duration.ZERO)).isEqualTo("off");
        assertThat(type.range()).isEqualTo("off, or 1d..100y");
    }

    @Test
    void anythingElseIsRefusedWithTheReason() {
        assertThatThrownBy(() -> type.parse("0d")).hasMessageContaining("0d is outside off, or 1d..100y");
        assertThatThrownBy(() -> type.parse("101y")).hasMessageContaining("outside");
        assertThatThrownBy(() -> type.parse("12h")).hasMessageContaining("'12h' is not off or a number of days or years like 400d or 5y");
        assertThatThrownBy(() -> type.parse("forever")).hasMessageContaining("is not off");
        assertThatThrownBy(() -> type.parse("0")).hasMessageContaining("is not off");
    }

    @Test
    void theDefaultsAreWhatAPropertyManagerExpects() {
        Config c = Config.load(HubSettings.ALL, null, Map.of());
        assertThat(c.get(HubSettings.RETENTION_READINGS)).isEqualTo(Duration.ofDays(400));
        assertThat(c.get(HubSettings.RETENTION_ROLLUPS)).isEqualTo(Duration.ofDays(5 * 365));
        assertThat(c.get(HubSettings.RETENTION_INCIDENTS)).isEqualTo(Duration.ofDays(5 * 365));
        assertThat(c.get(HubSettings.RETENTION_AUDIT)).isEqualTo(Duration.ofDays(5 * 365));
        assertThat(c.get(HubSettings.RETENTION_PERSONAL)).isEqualTo(Duration.ofDays(180));
        assertThat(Config.load(HubSettings.ALL, null, Map.of("HUB_RETENTION_AUDIT", "off")).get(HubSettings.RETENTION_AUDIT))
                .isEqualTo(Duration.ZERO);
    }
}
