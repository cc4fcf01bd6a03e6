package org.communityguard.edge.site;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.communityguard.edge.config.ConfigException;
import org.communityguard.edge.identity.DeviceAuth;
import org.communityguard.edge.identity.DeviceAccess;
import org.communityguard.edge.identity.Sender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SiteTest {

    @TempDir
    Path dir;

    private Path file(String yaml) throws Exception {
        Path file = dir.resolve("site.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void eachDeviceHasItsAuthOrTheCommunitysDefault() throws Exception {
        Site site = Site.load(file("""
                community: c
                device_auth: none
                devices:
                  - {id: smoke-1, type: smoke_detector, building: B1, gateway: gw-1, auth: psk}
                  - {id: manhole-1, type: manhole, building: B1, gateway: gw-1}
                """), "gw-1");
        assertThat(site.devices().get("smoke-1").auth()).isEqualTo(DeviceAuth.PSK);
        assertThat(site.devices().get("manhole-1").auth()).isEqualTo(DeviceAuth.NONE);
        DeviceAccess access = site.access();
        assertThat(access.check(Sender.ANONYMOUS, "smoke-1")).isEqualTo(DeviceAccess.Verdict.REFUSED);
        assertThat(access.check(Sender.ANONYMOUS, "unlisted-1")).isEqualTo(DeviceAccess.Verdict.ALLOWED);
    }

    @Test
    void withoutDeviceAuthEveryDeviceNeedsAKey() throws Exception {
        Site site = Site.load(file("""
                community: c
                devices:
                  - {id: smoke-1, type: smoke_detector, building: B1, gateway: gw-1}
                """), "gw-1");
        assertThat(site.deviceAuth()).isEqualTo(DeviceAuth.PSK);
        assertThat(site.access().allowsPlain()).isFalse();
        assertThat(Site.empty().access().allowsPlain()).isFalse();
    }

    @Test
    void anUnknownAuthIsNamed() throws Exception {
        Path file = file("""
                community: c
                device_auth: psks
                devices:
                  - {id: smoke-1, type: smoke_detector, gateway: gw-1, auth: password}
                """);
        assertThatThrownBy(() -> Site.load(file, "gw-1")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("device_auth: must be psk").hasMessageContaining("devices[0] 'smoke-1': auth: must be psk");
    }

    @Test
    void wholeSecondsAreRead() {
        Site site = Site.parse("""
                community: c1
                devices:
                  - {id: d1, type: manhole, gateway: gw-1, interval_s: 600}
                linkage:
                  - name: r
                    when: {type: smoke_detector, event: alarm}
                    then: [{type: door_access, command: {cmd: door, action: release}}]
                    cooldown_s: 60
                """, "site.yaml", "gw-1");
        assertThat(site.devices().get("d1").interval()).isEqualTo(Duration.ofSeconds(600));
        assertThat(site.linkage().get(0).cooldown()).isEqualTo(Duration.ofSeconds(60));
    }

    /**
     * A community's whole site file, as the hub has it: over the YAML parser's default limit of
     * 3 MiB of text (about 30,000 devices) the agent did not start.
     */
    @Test
    void aCitySizedSiteFileIsRead() {
        StringBuilder sb = new StringBuilder("community: c1\ndevices:\n");
        for (int i = 0; i < 50_000; i++) {
            sb.append("  - {id: manhole-cover-sensor-").append(i).append(", type: manhole, gateway: gw-").append(i % 2 + 1)
                    .append("}\n");
        }
        assertThat(sb.length()).isGreaterThan(3 * 1024 * 1024);
        assertThat(Site.parse(sb.toString(), "site.yaml", "gw-1").devices()).hasSize(25_000);
    }

    /** Found by SiteFuzzTest: 2.5 was read as 2, silently; the file says whole seconds. */
    @Test
    void aFractionOfASecondIsRefusedNotCut() {
        assertThatThrownBy(() -> Site.parse("""
                community: c1
                devices:
                  - {id: d1, type: manhole, gateway: gw-1, interval_s: 2.5}
                """, "site.yaml", "gw-1")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("devices[0] 'd1': interval_s must be a whole number of seconds");
        assertThatThrownBy(() -> Site.parse("""
                community: c1
                linkage:
                  - name: r
                    when: {type: smoke_detector, event: alarm}
                    then: [{type: door_access, command: {cmd: door, action: release}}]
                    cooldown_s: 2.5
                """, "site.yaml", "gw-1")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("linkage[0].cooldown_s: must be a whole number of seconds");
    }
}
