package org.communityguard.hub.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * API bearer tokens: 256 random bits given to the client once; the database keeps only their
 * SHA-256, with an expiry. Revocable by deleting the row, unlike a self-contained token.
 */
public final class Tokens {

    private final DataSource dataSource;
    private final Duration ttl;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public Tokens(DataSource dataSource, Duration ttl, Clock clock) {
        this.dataSource = dataSource;
        this.ttl = ttl;
        this.clock = clock;
    }

    public record Issued(String token, Instant expiresAt) {
    }

    public Issued issue(Principal who) throws SQLException {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Instant expires = clock.instant().plus(ttl);
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO api_tokens (token_sha256, username, expires_at) VALUES (?, ?, ?)")) {
            ps.setBytes(1, sha256(token));
            ps.setString(2, who.username());
            ps.setTimestamp(3, Timestamp.from(expires));
            ps.executeUpdate();
        }
        return new Issued(token, expires);
    }

    /** The token's user, when the token exists and has not expired. */
    public Optional<Principal> resolve(String token) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT u.username, u.role FROM api_tokens t JOIN users u ON u.username = t.username"
                        + " WHERE t.token_sha256 = ? AND t.expires_at > ?")) {
            ps.setBytes(1, sha256(token));
            ps.setTimestamp(2, Timestamp.from(clock.instant()));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                String username = rs.getString(1);
                return Role.fromWireName(rs.getString(2)).map(role -> new Principal(username, role));
            }
        }
    }

    /** Ends a token before its expiry (logout with a bearer token). */
    public void revoke(String token) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "DELETE FROM api_tokens WHERE token_sha256 = ?")) {
            ps.setBytes(1, sha256(token));
            ps.executeUpdate();
        }
    }

    /** The SHA-256 of a high-entropy secret, as tokens, sessions and API keys are stored. */
    static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
