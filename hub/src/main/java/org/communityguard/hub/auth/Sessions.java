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
 * Console sessions: the browser's credential, carried in an HttpOnly cookie. The session id is
 * 256 random bits (SecureRandom) given to the browser once; the database keeps its SHA-256. A
 * session ends at logout, {@code ttl} after sign-in, or {@code idle} after its last use,
 * whichever comes first. Each session has its own CSRF synchronizer token.
 */
public final class Sessions {

    /** How often, at most, a session's last use is written back (saves a write per request). */
    static final Duration TOUCH_GRANULARITY = Duration.ofMinutes(1);

    private final DataSource dataSource;
    private final Duration ttl;
    private final Duration idle;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public Sessions(DataSource dataSource, Duration ttl, Duration idle, Clock clock) {
        this.dataSource = dataSource;
        this.ttl = ttl;
        this.idle = idle;
        this.clock = clock;
    }

    /** A live session; {@code id} is the cookie value. */
    public record Session(String id, String csrfToken, Principal principal, Instant expiresAt) {
    }

    public Duration ttl() {
        return ttl;
    }

    public Session create(Principal who, String client) throws SQLException {
        String id = randomToken();
        String csrf = randomToken();
        Instant now = clock.instant();
        Instant expires = now.plus(ttl);
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO console_sessions (id_sha256, username, csrf_token, client, created_at, last_used_at, expires_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setBytes(1, sha256(id));
            ps.setString(2, who.username());
            ps.setString(3, csrf);
            ps.setString(4, client);
            ps.setTimestamp(5, Timestamp.from(now));
            ps.setTimestamp(6, Timestamp.from(now));
            ps.setTimestamp(7, Timestamp.from(expires));
            ps.executeUpdate();
        }
        return new Session(id, csrf, who, expires);
    }

    /** The session when it exists and has expired neither way; records the use. */
    public Optional<Session> resolve(String id) throws SQLException {
        if (id == null || id.isEmpty() || id.length() > 100) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        byte[] key = sha256(id);
        Session session;
        Instant lastUsed;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT s.csrf_token, s.expires_at, s.last_used_at, u.username, u.role FROM console_sessions s"
                        + " JOIN users u ON u.username = s.username"
                        + " WHERE s.id_sha256 = ? AND s.expires_at > ? AND s.last_used_at > ?")) {
            ps.setBytes(1, key);
            ps.setTimestamp(2, Timestamp.from(now));
            ps.setTimestamp(3, Timestamp.from(now.minus(idle)));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Optional<Role> role = Role.fromWireName(rs.getString(5));
                if (role.isEmpty()) {
                    return Optional.empty();
                }
                session = new Session(id, rs.getString(1), new Principal(rs.getString(4), role.get()),
                        rs.getTimestamp(2).toInstant());
                lastUsed = rs.getTimestamp(3).toInstant();
            }
            if (lastUsed.isBefore(now.minus(TOUCH_GRANULARITY))) {
                try (PreparedStatement touch = c.prepareStatement(
                        "UPDATE console_sessions SET last_used_at = ? WHERE id_sha256 = ?")) {
                    touch.setTimestamp(1, Timestamp.from(now));
                    touch.setBytes(2, key);
                    touch.executeUpdate();
                }
            }
        }
        return Optional.of(session);
    }

    /** Ends the session (logout). */
    public void delete(String id) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "DELETE FROM console_sessions WHERE id_sha256 = ?")) {
            ps.setBytes(1, sha256(id));
            ps.executeUpdate();
        }
    }

    /** Removes sessions that can no longer be used; returns how many. */
    public int purgeExpired() throws SQLException {
        Instant now = clock.instant();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "DELETE FROM console_sessions WHERE expires_at <= ? OR last_used_at <= ?")) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setTimestamp(2, Timestamp.from(now.minus(idle)));
            return ps.executeUpdate();
        }
    }

    private String randomToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
