package org.communityguard.hub.auth;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * API keys for other systems (fire brigade, street office, open-data portal): docs/data-sharing.md.
 * A key reads {@code cgk_<id>_<secret>}: the prefix makes it recognisable (to secret scanners and
 * to {@code api.Authenticator}), the id (10 hex digits, public) names it in the console, the audit
 * log and the metrics so it can be found and revoked without anyone keeping the key, and the
 * secret is 256 random bits from {@link SecureRandom}. The key is shown once, when it is created;
 * the database keeps only the SHA-256 of the whole key.
 *
 * <p>SHA-256, not Argon2 as for passwords: a slow hash exists to make guessing a low-entropy
 * password expensive, but nobody guesses 256 random bits, fast hash or not. Argon2 would instead
 * cost every request made with a key tens of milliseconds and megabytes of memory, a lever for
 * anyone who sends requests with made-up secrets. API tokens ({@link Tokens}) and sessions are
 * hashed the same way for the same reason.
 */
public final class ApiKeys {

    public static final String PREFIX = "cgk_";
    private static final Pattern FORMAT = Pattern.compile("cgk_([0-9a-f]{10})_[A-Za-z0-9_-]{43}");
    /** How often, at most, a key's last use is written back: the audit log has every use, to the millisecond. */
    static final Duration TOUCH_GRANULARITY = Duration.ofMinutes(1);

    private static final String COLUMNS = "id, name, owner, scopes, rate_per_minute, created_by, created_at, expires_at,"
            + " revoked_at, revoked_by, last_used_at";

    private final DataSource dataSource;
    private final SecureRandom random = new SecureRandom();

    public ApiKeys(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A key as stored: everything but its secret. */
    public record Key(String id, String name, String owner, Set<Scope> scopes, int ratePerMinute, String createdBy,
                      Instant createdAt, Instant expiresAt, Instant revokedAt, String revokedBy, Instant lastUsedAt) {

        public Key {
            scopes = scopes.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(scopes));
        }

        public boolean expired(Instant now) {
            return expiresAt != null && !now.isBefore(expiresAt);
        }

        /** Not revoked and not expired. */
        public boolean usable(Instant now) {
            return revokedAt == null && !expired(now);
        }
    }

    /** A new key and, this once, the key itself ({@code cgk_...}). */
    public record Issued(Key key, String secret) {
        @Override
        public String toString() {
            return "Issued[" + key.id() + "]";
        }
    }

    /** Whether the presented bearer credential has the form of an API key (else it is a user's token). */
    public static boolean looksLikeKey(String presented) {
        return FORMAT.matcher(presented).matches();
    }

    /** Creates a key in the caller's transaction (which audits it). */
    public Issued create(Connection c, String name, String owner, Set<Scope> scopes, int ratePerMinute, Instant expiresAt,
                         String createdBy) throws SQLException {
        if (scopes.isEmpty()) {
            throw new IllegalArgumentException("a key needs at least one scope");
        }
        // 40 random bits of id: a collision is unlikely, not impossible; the primary key decides.
        for (int attempt = 0; ; attempt++) {
            byte[] idBytes = new byte[5];
            random.nextBytes(idBytes);
            byte[] secretBytes = new byte[32];
            random.nextBytes(secretBytes);
            String id = HexFormat.of().formatHex(idBytes);
            String secret = PREFIX + id + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO api_keys (id, secret_sha256, name, owner, scopes,"
                    + " rate_per_minute, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    + " ON CONFLICT (id) DO NOTHING RETURNING " + COLUMNS)) {
                ps.setString(1, id);
                ps.setBytes(2, Tokens.sha256(secret));
                ps.setString(3, name);
                ps.setString(4, owner);
                ps.setArray(5, c.createArrayOf("text", scopes.stream().map(Scope::wireName).toArray()));
                ps.setInt(6, ratePerMinute);
                ps.setString(7, createdBy);
                ps.setTimestamp(8, expiresAt == null ? null : Timestamp.from(expiresAt));
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return new Issued(read(rs), secret);
                    }
                }
            }
            if (attempt == 3) {
                throw new SQLException("could not find a free key id in four tries");
            }
        }
    }

    /** Every key, newest first. */
    public List<Key> list(Connection c) throws SQLException {
        List<Key> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM api_keys ORDER BY created_at DESC, id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(read(rs));
            }
        }
        return out;
    }

    public Optional<Key> find(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM api_keys WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    /** Revokes a key that is not revoked yet; empty when there is no such key or it already was. */
    public Optional<Key> revoke(Connection c, String id, String by, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE api_keys SET revoked_at = ?, revoked_by = ?"
                + " WHERE id = ? AND revoked_at IS NULL RETURNING " + COLUMNS)) {
            ps.setTimestamp(1, Timestamp.from(at));
            ps.setString(2, by);
            ps.setString(3, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    /**
     * The key a presented {@code cgk_...} credential is, revoked and expired ones too (the caller
     * tells those apart, and records their use); empty when no key has that id and secret.
     */
    public Optional<Key> verify(String presented) throws SQLException {
        Matcher m = FORMAT.matcher(presented);
        if (!m.matches()) {
            return Optional.empty();
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT " + COLUMNS + ", secret_sha256 FROM api_keys WHERE id = ?")) {
            ps.setString(1, m.group(1));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || !MessageDigest.isEqual(rs.getBytes(12), Tokens.sha256(presented))) {
                    return Optional.empty();
                }
                return Optional.of(read(rs));
            }
        }
    }

    /** Records that the key was used now, at most once per {@link #TOUCH_GRANULARITY}. */
    public void touch(Connection c, Key key, Instant now) throws SQLException {
        if (key.lastUsedAt() != null && key.lastUsedAt().isAfter(now.minus(TOUCH_GRANULARITY))) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE api_keys SET last_used_at = ? WHERE id = ?"
                + " AND (last_used_at IS NULL OR last_used_at < ?)")) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setString(2, key.id());
            ps.setTimestamp(3, Timestamp.from(now.minus(TOUCH_GRANULARITY)));
            ps.executeUpdate();
        }
    }

    private static Key read(ResultSet rs) throws SQLException {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        Array array = rs.getArray(4);
        for (Object name : (Object[]) array.getArray()) {
            // A scope a later version wrote and this one does not know opens nothing here.
            Scope.fromWireName(String.valueOf(name)).ifPresent(scopes::add);
        }
        return new Key(rs.getString(1), rs.getString(2), rs.getString(3), scopes, rs.getInt(5), rs.getString(6),
                instant(rs, 7), instant(rs, 8), instant(rs, 9), rs.getString(10), instant(rs, 11));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
