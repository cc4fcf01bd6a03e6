package org.communityguard.edge.identity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.TreeSet;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.communityguard.edge.config.ConfigException;

/**
 * Mosquitto's account files for a gateway, written from the device keys: one account per device
 * (user name = device id, password = its key as hex) and the agent's own.
 *
 * <ul>
 * <li>{@code communityguard.acl}: a device may publish only on {@code devices/{its id}/telemetry},
 *     {@code event} and {@code status}, and read only its own {@code command} and {@code error};
 *     the agent reads every device's telemetry, events and statuses and writes every command and
 *     error topic. Nothing else is allowed (Mosquitto denies what an ACL file does not grant),
 *     so no device can write a command topic or speak as another device.</li>
 * <li>{@code communityguard.passwd}: Mosquitto 2.0's own hash, {@code $7$}: PBKDF2-HMAC-SHA512,
 *     {@value #ITERATIONS} iterations (mosquitto_passwd's default), a 12-byte random salt, the
 *     64-byte result; the salt and result in Base64. Computed by the JDK's
 *     {@code PBKDF2WithHmacSHA512}; Mosquitto checks it, the agent never reads it back.</li>
 * </ul>
 */
public final class MosquittoAccounts {

    public static final String ACL_FILE = "communityguard.acl";
    public static final String PASSWORD_FILE = "communityguard.passwd";
    static final int ITERATIONS = 101;
    private static final int SALT_BYTES = 12;
    private static final int HASH_BITS = 512;

    private MosquittoAccounts() {
    }

    /** The ACL: the agent's block, then one block per device, by id. */
    public static String acl(String agentUser, DeviceKeys keys) {
        StringBuilder out = new StringBuilder("""
                # Written by edge-agent --mosquitto-accounts from the device keys (docs/edge-install.md): do not edit,
                # write it again. A device publishes only under its own devices/{id}/ and reads only its own
                # command and error topics; what this file does not grant, Mosquitto denies.

                """);
        out.append("user ").append(agentUser).append('\n')
                .append("topic read devices/+/telemetry\n")
                .append("topic read devices/+/event\n")
                .append("topic read devices/+/status\n")
                .append("topic write devices/+/command\n")
                .append("topic write devices/+/error\n");
        for (String id : new TreeSet<>(keys.deviceIds())) {
            out.append('\n').append("user ").append(id).append('\n');
            for (String own : List.of("telemetry", "event", "status")) {
                out.append("topic write devices/").append(id).append('/').append(own).append('\n');
            }
            for (String own : List.of("command", "error")) {
                out.append("topic read devices/").append(id).append('/').append(own).append('\n');
            }
        }
        return out.toString();
    }

    /** The password file: the agent's account, then every device's, by id. */
    public static String passwordFile(String agentUser, String agentPassword, DeviceKeys keys, SecureRandom random) {
        StringBuilder out = new StringBuilder();
        out.append(agentUser).append(':').append(hash(agentPassword, salt(random), ITERATIONS)).append('\n');
        for (String id : new TreeSet<>(keys.deviceIds())) {
            out.append(id).append(':').append(hash(keys.password(id).orElseThrow(), salt(random), ITERATIONS)).append('\n');
        }
        return out.toString();
    }

    /** Mosquitto's {@code $7$iterations$salt$hash}. */
    static String hash(String password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, HASH_BITS);
        try {
            byte[] derived = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").generateSecret(spec).getEncoded();
            Base64.Encoder base64 = Base64.getEncoder();
            return "$7$" + iterations + "$" + base64.encodeToString(salt) + "$" + base64.encodeToString(derived);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no PBKDF2WithHmacSHA512", e);
        } finally {
            spec.clearPassword();
        }
    }

    private static byte[] salt(SecureRandom random) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return salt;
    }

    /**
     * Writes both files into {@code dir}, each replaced whole (written beside, then renamed), the
     * password file with mode 0600. Mosquitto reads them at start and on SIGHUP.
     */
    public static List<Path> write(Path dir, String agentUser, String agentPassword, DeviceKeys keys, SecureRandom random) {
        if (agentUser.isEmpty() || agentPassword.isEmpty()) {
            throw new ConfigException("the agent's own broker account is needed for Mosquitto: set broker.username and"
                    + " broker.password (EDGE_BROKER_USERNAME, EDGE_BROKER_PASSWORD)");
        }
        Path acl = dir.resolve(ACL_FILE);
        Path passwd = dir.resolve(PASSWORD_FILE);
        try {
            Files.createDirectories(dir);
            replace(acl, acl(agentUser, keys), false);
            replace(passwd, passwordFile(agentUser, agentPassword, keys, random), true);
        } catch (IOException e) {
            throw new ConfigException("cannot write Mosquitto's account files into " + dir + ": " + e.getMessage());
        }
        return List.of(acl, passwd);
    }

    private static void replace(Path file, String content, boolean secret) throws IOException {
        Path next = file.resolveSibling(file.getFileName() + ".new");
        Files.deleteIfExists(next);
        if (secret && Files.getFileStore(file.toAbsolutePath().getParent()).supportsFileAttributeView(PosixFileAttributeView.class)) {
            Files.createFile(next, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.writeString(next, content, StandardCharsets.UTF_8);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
