package org.communityguard.edge.identity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.communityguard.edge.config.ConfigException;

/**
 * The gateway's device keys ({@code device.keys-file}): one line per device, {@code id:key}, the
 * key in hex (16 to 64 bytes), as Mosquitto's {@code psk_file} has them; {@code #} starts a
 * comment. The file is secret: readable by the agent's user only (mode 0600), kept off the site
 * file that the hub reads and the demo commits, and written by {@code edge-agent
 * --provision-device}, which prints each new key once for the installer to put into the device.
 *
 * <p>A key is the device's DTLS pre-shared key (PSK identity = device id) and, written as its
 * lower-case hex text, its MQTT password (user name = device id). Immutable once loaded.
 */
public final class DeviceKeys {

    /** 128-bit keys: what DTLS-PSK cipher suites such as TLS_PSK_WITH_AES_128_CCM_8 expect. */
    public static final int NEW_KEY_BYTES = 16;
    private static final int MIN_KEY_BYTES = 16;
    private static final int MAX_KEY_BYTES = 64;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Map<String, byte[]> keys;

    private DeviceKeys(Map<String, byte[]> keys) {
        this.keys = keys;
    }

    public static DeviceKeys empty() {
        return new DeviceKeys(Map.of());
    }

    /** Reads the file; a bad line, or a file others may read, stops the agent with a message naming it. */
    public static DeviceKeys load(Path file) {
        requireOwnerOnly(file);
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read the device keys file " + file + ": " + e.getMessage());
        }
        Map<String, byte[]> keys = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            // Never quote the line: it holds a key.
            String where = file + " line " + (i + 1);
            int colon = line.indexOf(':');
            String id = colon < 0 ? "" : line.substring(0, colon);
            if (!ID.matcher(id).matches()) {
                errors.add(where + ": expected id:hex-key, the id 1-64 of A-Z a-z 0-9 . _ -");
                continue;
            }
            byte[] key = parseKey(line.substring(colon + 1));
            if (key == null) {
                errors.add(where + " (" + id + "): the key must be " + MIN_KEY_BYTES + " to " + MAX_KEY_BYTES + " bytes in hex");
            } else if (keys.putIfAbsent(id, key) != null) {
                errors.add(where + ": " + id + " has a key already, further up");
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigException("device keys file is invalid:\n  " + String.join("\n  ", errors));
        }
        return new DeviceKeys(Map.copyOf(keys));
    }

    private static byte[] parseKey(String hex) {
        String text = hex.strip();
        if (text.length() % 2 != 0 || text.length() < 2 * MIN_KEY_BYTES || text.length() > 2 * MAX_KEY_BYTES) {
            return null;
        }
        try {
            return HexFormat.of().parseHex(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Group or other access to the file would hand every device's identity to anyone on the box. */
    private static void requireOwnerOnly(Path file) {
        PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (posix == null) {
            return;
        }
        try {
            Set<PosixFilePermission> permissions = posix.readAttributes().permissions();
            if (!OWNER_ONLY.containsAll(permissions)) {
                throw new ConfigException("the device keys file " + file + " is " + PosixFilePermissions.toString(permissions)
                        + ": it must be readable by its owner only (chmod 600 " + file + ")");
            }
        } catch (IOException e) {
            throw new ConfigException("cannot read the device keys file " + file + ": " + e.getMessage());
        }
    }

    public Optional<byte[]> key(String deviceId) {
        byte[] key = keys.get(deviceId);
        return key == null ? Optional.empty() : Optional.of(key.clone());
    }

    /** The device's MQTT password: its key as lower-case hex text. */
    public Optional<String> password(String deviceId) {
        byte[] key = keys.get(deviceId);
        return key == null ? Optional.empty() : Optional.of(HexFormat.of().formatHex(key));
    }

    public Set<String> deviceIds() {
        return keys.keySet();
    }

    public boolean isEmpty() {
        return keys.isEmpty();
    }

    /**
     * Gives each device a new random key and appends it to the file (created with mode 0600);
     * a device that has a key already is refused, so a key in use is never replaced by accident.
     *
     * @return the new lines, {@code id:hex-key}, to print once for the installer
     */
    public static List<String> provision(Path file, List<String> deviceIds, SecureRandom random) {
        DeviceKeys existing = Files.exists(file) ? load(file) : empty();
        List<String> lines = new ArrayList<>();
        for (String id : deviceIds) {
            if (!ID.matcher(id).matches()) {
                throw new ConfigException("'" + id + "' is not a device id (1-64 of A-Z a-z 0-9 . _ -)");
            }
            if (existing.keys.containsKey(id) || lines.stream().anyMatch(l -> l.startsWith(id + ":"))) {
                throw new ConfigException(id + " has a key in " + file + " already; remove its line first to replace it");
            }
            byte[] key = new byte[NEW_KEY_BYTES];
            random.nextBytes(key);
            lines.add(id + ":" + HexFormat.of().formatHex(key));
        }
        try {
            createOwnerOnly(file);
            Files.writeString(file, String.join("\n", lines) + (lines.isEmpty() ? "" : "\n"), StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new ConfigException("cannot write the device keys file " + file + ": " + e.getMessage());
        }
        return lines;
    }

    private static void createOwnerOnly(Path file) throws IOException {
        if (Files.exists(file)) {
            return;
        }
        try {
            if (Files.getFileStore(file.toAbsolutePath().getParent()).supportsFileAttributeView(PosixFileAttributeView.class)) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } else {
                Files.createFile(file);
            }
        } catch (FileAlreadyExistsException e) {
            // Made in between; load() checked it when it existed, the next load checks it again.
        }
    }
}
