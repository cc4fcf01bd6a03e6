package org.communityguard.edge.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.communityguard.edge.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MosquittoAccountsTest {

    @TempDir
    Path dir;

    private DeviceKeys keys() throws Exception {
        Path file = dir.resolve("devices.keys");
        Files.writeString(file, "smoke-b1-01:00112233445566778899aabbccddeeff\nlamp-b1-01:ffeeddccbbaa99887766554433221100\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return DeviceKeys.load(file);
    }

    /** The line Mosquitto 2.0.11's own {@code mosquitto_passwd -b pw.txt dev1 0123456789abcdef0123456789abcdef} wrote. */
    @Test
    void theHashIsMosquittosOwn() {
        String written = "$7$101$/QKiwLIrh8tniCJb$ZidLqCqM1nLM+IF97vj2WANkyhAtqyXx63OOpX0UfFqZSGVtKvbG8FWmgjCnnbbU+DaHNtI3IrlihMt+YIXKMQ==";
        byte[] salt = Base64.getDecoder().decode(written.split("\\$")[3]);
        assertThat(MosquittoAccounts.hash("0123456789abcdef0123456789abcdef", salt, 101)).isEqualTo(written);
    }

    @Test
    void eachDevicePublishesOnlyUnderItsOwnIdAndReadsOnlyItsOwnCommandsAndErrors() throws Exception {
        String acl = MosquittoAccounts.acl("edge-agent", keys());
        assertThat(acl).contains("""
                user edge-agent
                topic read devices/+/telemetry
                topic read devices/+/event
                topic read devices/+/status
                topic write devices/+/command
                topic write devices/+/error
                """).contains("""
                user lamp-b1-01
                topic write devices/lamp-b1-01/telemetry
                topic write devices/lamp-b1-01/event
                topic write devices/lamp-b1-01/status
                topic read devices/lamp-b1-01/command
                topic read devices/lamp-b1-01/error
                """).contains("user smoke-b1-01\n");
        // No pattern lines, no grant that a device could stretch to another's topics or a command topic.
        assertThat(acl.lines().filter(l -> !l.startsWith("#") && !l.isBlank()))
                .allMatch(l -> l.startsWith("user ") || l.startsWith("topic "))
                .noneMatch(l -> l.contains("#") || l.contains("%"));
    }

    @Test
    void writesBothFilesThePasswordFileForItsOwnerOnly() throws Exception {
        List<Path> written = MosquittoAccounts.write(dir.resolve("mosquitto"), "edge-agent", "agent-password-123", keys(),
                new SecureRandom());
        String passwd = Files.readString(written.get(1));
        assertThat(passwd.lines()).hasSize(3).allMatch(l -> l.matches("(edge-agent|lamp-b1-01|smoke-b1-01):\\$7\\$101\\$[A-Za-z0-9+/=]{16}\\$[A-Za-z0-9+/=]{88}"));
        assertThat(passwd).doesNotContain("00112233445566778899aabbccddeeff").doesNotContain("agent-password-123");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(written.get(1)))).isEqualTo("rw-------");
        assertThat(Files.readString(written.get(0))).contains("user smoke-b1-01");
    }

    @Test
    void theAgentsOwnAccountIsRequired() {
        assertThatThrownBy(() -> MosquittoAccounts.write(dir, "", "", keys(), new SecureRandom()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("EDGE_BROKER_USERNAME");
    }
}
