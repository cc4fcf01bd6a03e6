package org.communityguard.edge.site;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
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
}
