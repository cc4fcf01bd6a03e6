package org.communityguard.edge.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import org.communityguard.edge.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceKeysTest {

    private static final String KEY = "00112233445566778899aabbccddeeff";

    @TempDir
    Path dir;

    private Path file(String content) throws Exception {
        Path file = dir.resolve("devices.keys");
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    @Test
    void readsIdColonHexLinesSkippingCommentsAndBlankLines() throws Exception {
        DeviceKeys keys = DeviceKeys.load(file("# keys of sunny-garden\n\nsmoke-b1-01:" + KEY + "\n  lamp-b1-01:" + KEY.toUpperCase() + "\n"));
        assertThat(keys.deviceIds()).containsExactlyInAnyOrder("smoke-b1-01", "lamp-b1-01");
        assertThat(keys.key("smoke-b1-01")).hasValueSatisfying(k -> assertThat(HexFormat.of().formatHex(k)).isEqualTo(KEY));
        // The MQTT password is the key as lower-case hex text, however the file wrote it.
        assertThat(keys.password("lamp-b1-01")).contains(KEY);
        assertThat(keys.key("door-b1-01")).isEmpty();
    }

    @Test
    void aBadLineIsNamedButNeverQuoted() throws Exception {
        Path file = file("smoke-b1-01:" + KEY + "\nsmoke-b1-02:abcd\nsecret-without-id\nsmoke-b1-01:" + KEY + "\n");
        assertThatThrownBy(() -> DeviceKeys.load(file)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("line 2 (smoke-b1-02): the key must be 16 to 64 bytes in hex")
                .hasMessageContaining("line 3: expected id:hex-key")
                .hasMessageContaining("line 4: smoke-b1-01 has a key already")
                .hasMessageNotContaining("abcd").hasMessageNotContaining("secret-without-id").hasMessageNotContaining(KEY);
    }

    @Test
    void aFileOthersMayReadIsRefused() throws Exception {
        Path file = file("smoke-b1-01:" + KEY + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> DeviceKeys.load(file)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("rw-r--r--").hasMessageContaining("chmod 600");
    }

    @Test
    void provisioningAppendsNewRandomKeysToAnOwnerOnlyFileAndNeverReplacesOne() throws Exception {
        Path file = dir.resolve("new.keys");
        List<String> first = DeviceKeys.provision(file, List.of("smoke-b1-01", "lamp-b1-01"), new SecureRandom());
        assertThat(first).hasSize(2).allMatch(line -> line.matches("(smoke|lamp)-b1-01:[0-9a-f]{32}"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        List<String> second = DeviceKeys.provision(file, List.of("door-b1-01"), new SecureRandom());

        DeviceKeys keys = DeviceKeys.load(file);
        assertThat(keys.deviceIds()).containsExactlyInAnyOrder("smoke-b1-01", "lamp-b1-01", "door-b1-01");
        assertThat(keys.password("door-b1-01")).contains(second.get(0).substring("door-b1-01:".length()));
        assertThat(first.get(0)).isNotEqualTo(first.get(1).replace("lamp", "smoke"));

        assertThatThrownBy(() -> DeviceKeys.provision(file, List.of("smoke-b1-01"), new SecureRandom()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("smoke-b1-01 has a key");
        assertThatThrownBy(() -> DeviceKeys.provision(file, List.of("bad/id"), new SecureRandom()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not a device id");
        assertThat(DeviceKeys.load(file).deviceIds()).hasSize(3);
    }
}
