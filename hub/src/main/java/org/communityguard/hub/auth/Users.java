package org.communityguard.hub.auth;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import java.util.Optional;
import javax.sql.DataSource;

/** User accounts: the admin bootstrap and password checks. */
public final class Users {

    public static final String ADMIN = "admin";

    private final DataSource dataSource;

    public Users(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Makes sure the admin account exists. With a configured password it is (re)set to it;
     * without one a new account gets a random password, returned so it can be printed once.
     */
    public Optional<String> ensureAdmin(String configuredPassword) throws SQLException {
        boolean exists;
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM users WHERE username = ?")) {
            ps.setString(1, ADMIN);
            try (ResultSet rs = ps.executeQuery()) {
                exists = rs.next();
            }
        }
        if (!configuredPassword.isEmpty()) {
            upsert(ADMIN, configuredPassword, Role.ADMIN);
            return Optional.empty();
        }
        if (exists) {
            return Optional.empty();
        }
        byte[] random = new byte[15];
        new SecureRandom().nextBytes(random);
        String generated = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        upsert(ADMIN, generated, Role.ADMIN);
        return Optional.of(generated);
    }

    public void upsert(String username, String password, Role role) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO users (username, password_hash, role) VALUES (?, ?, ?)"
                        + " ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role")) {
            ps.setString(1, username);
            ps.setString(2, Passwords.hash(password));
            ps.setString(3, role.wireName());
            ps.executeUpdate();
        }
    }

    /** The user when the password is right. */
    public Optional<Principal> authenticate(String username, String password) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT password_hash, role FROM users WHERE username = ?")) {
            ps.setString(1, username);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    // Same work as a real check, so timing does not reveal which user names exist.
                    Passwords.verify(password, DUMMY_HASH);
                    return Optional.empty();
                }
                if (!Passwords.verify(password, rs.getString(1))) {
                    return Optional.empty();
                }
                return Role.fromWireName(rs.getString(2)).map(role -> new Principal(username, role));
            }
        }
    }

    private static final String DUMMY_HASH = Passwords.hash("no such user");
}
