package org.communityguard.edge.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.communityguard.edge.identity.DeviceAccess.Verdict;
import org.junit.jupiter.api.Test;

class DeviceAccessTest {

    private final DeviceAccess access = new DeviceAccess(Map.of("smoke-1", DeviceAuth.PSK, "manhole-1", DeviceAuth.NONE), DeviceAuth.PSK);

    @Test
    void aProvenSenderSpeaksOnlyForItself() {
        assertThat(access.check(Sender.proven("smoke-1"), "smoke-1")).isEqualTo(Verdict.ALLOWED);
        assertThat(access.check(Sender.proven("manhole-1"), "smoke-1")).isEqualTo(Verdict.REFUSED);
        // Not even for a device that needs no proof.
        assertThat(access.check(Sender.proven("smoke-1"), "manhole-1")).isEqualTo(Verdict.REFUSED);
        assertThat(access.refusal(Sender.proven("manhole-1"), "smoke-1"))
                .isEqualTo("authenticated as manhole-1, which may not speak as smoke-1");
    }

    @Test
    void anonymousSendersOnlyForDevicesWithoutAKey() {
        assertThat(access.check(Sender.ANONYMOUS, "manhole-1")).isEqualTo(Verdict.ALLOWED);
        assertThat(access.check(Sender.ANONYMOUS, "smoke-1")).isEqualTo(Verdict.REFUSED);
        // A device the site file does not list takes the community's default.
        assertThat(access.check(Sender.ANONYMOUS, "stranger-1")).isEqualTo(Verdict.REFUSED);
        assertThat(access.refusal(Sender.ANONYMOUS, "smoke-1")).contains("DTLS");
    }

    @Test
    void anOpenBrokerIsKeptButUnverified() {
        assertThat(access.check(Sender.UNCHECKED, "smoke-1")).isEqualTo(Verdict.UNVERIFIED);
        assertThat(access.check(Sender.UNCHECKED, "manhole-1")).isEqualTo(Verdict.ALLOWED);
    }

    @Test
    void plainCoapIsServedOnlyWhenSomeDeviceNeedsNoKey() {
        assertThat(access.allowsPlain()).isTrue();
        assertThat(new DeviceAccess(Map.of("smoke-1", DeviceAuth.PSK), DeviceAuth.PSK).allowsPlain()).isFalse();
        assertThat(new DeviceAccess(Map.of("smoke-1", DeviceAuth.PSK), DeviceAuth.NONE).allowsPlain()).isTrue();
    }
}
