package org.communityguard.hub.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.KeyGenerator;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gateway credentials: registration and the check made when a gateway connects.
 *
 * <h2>Remembered secrets</h2>
 * A secret is stored as Argon2id, about 0.1 s of CPU to check. That is right for a first
 * CONNECT but wrong for a reconnect storm: 2,000 gateways coming back after a network outage
 * would queue 200 CPU seconds of hashing. So once a secret passed Argon2, the hub remembers, in
 * memory only, an HMAC-SHA256 of it under a random key made at start (JDK's own {@code Mac}),
 * together with the stored hash it matched. A reconnect with the same secret while the stored
 * hash is still the same is let in on that HMAC; anything else (a wrong secret, a secret changed
 * on any hub, which writes a new salted hash, a removed gateway) goes to Argon2 or is refused.
 * The stored hash is read on every CONNECT, so changes on another hub count at once. What is
 * remembered is no more than the process holds anyway while it checks a CONNECT; it dies with it.
 */
public final class GatewayRegistry {

    private static final Logger log = LoggerFactory.getLogger(GatewayRegistry.class);
    private static final String MAC = "HmacSHA256";

    /** A secret that passed Argon2 against {@code storedHash}. */
    private record Verified(String storedHash, byte[] mac) {
    }

    private final DataSource dataSource;
    private final SecretKey macKey;
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();
    private final Counter argon2Checks;
    private final Counter rememberedChecks;

    public GatewayRegistry(DataSource dataSource, MeterRegistry registry) {
        this.dataSource = dataSource;
        try {
            this.macKey = KeyGenerator.getInstance(MAC).generateKey();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no " + MAC, e);
        }
        this.argon2Checks = checks(registry, "argon2");
        this.rememberedChecks = checks(registry, "remembered");
    }

    private static Counter checks(MeterRegistry registry, String how) {
        return Counter.builder("hub.gateway.checks").description("gateway secrets checked at CONNECT, by how")
                .tag("how", how).register(registry);
    }

    /** Registers the gateway, or gives it a new secret. */
    public void register(String gatewayId, String secret) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO gateways (id, secret_hash) VALUES (?, ?)"
                        + " ON CONFLICT (id) DO UPDATE SET secret_hash = excluded.secret_hash")) {
            ps.setString(1, gatewayId);
            ps.setString(2, Passwords.hash(secret));
            ps.executeUpdate();
        }
        log.info("gateway {} registered", gatewayId);
    }

    /**
     * True when the gateway exists and the secret is its own. Slow on purpose (Argon2) unless
     * the same secret passed against the same stored hash before: call off the event loop.
     */
    public boolean authenticate(String gatewayId, String secret) throws SQLException {
        String hash;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT secret_hash FROM gateways WHERE id = ?")) {
            ps.setString(1, gatewayId);
            try (ResultSet rs = ps.executeQuery()) {
                hash = rs.next() ? rs.getString(1) : null;
            }
        }
        if (hash == null) {
            verified.remove(gatewayId);
            return false;
        }
        byte[] mac = mac(secret);
        Verified before = verified.get(gatewayId);
        boolean ok;
        if (before != null && before.storedHash().equals(hash) && MessageDigest.isEqual(before.mac(), mac)) {
            rememberedChecks.increment();
            ok = true;
        } else {
            argon2Checks.increment();
            ok = Passwords.verify(secret, hash);
            if (ok) {
                verified.put(gatewayId, new Verified(hash, mac));
            }
        }
        if (ok) {
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "UPDATE gateways SET last_seen_at = now() WHERE id = ?")) {
                ps.setString(1, gatewayId);
                ps.executeUpdate();
            }
        }
        return ok;
    }

    private byte[] mac(String secret) {
        try {
            // A Mac is not thread-safe and cheap to make; the key is shared.
            Mac m = Mac.getInstance(MAC);
            m.init(macKey);
            return m.doFinal(secret.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(MAC + " failed", e);
        }
    }
}
