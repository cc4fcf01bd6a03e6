package org.communityguard.hub.auth;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Gateway credentials: registration and the check made when a gateway connects. */
public final class GatewayRegistry {

    private static final Logger log = LoggerFactory.getLogger(GatewayRegistry.class);

    private final DataSource dataSource;

    public GatewayRegistry(DataSource dataSource) {
        this.dataSource = dataSource;
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

    /** True when the gateway exists and the secret is its own. Slow on purpose (Argon2): call off the event loop. */
    public boolean authenticate(String gatewayId, String secret) throws SQLException {
        String hash;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT secret_hash FROM gateways WHERE id = ?")) {
            ps.setString(1, gatewayId);
            try (ResultSet rs = ps.executeQuery()) {
                hash = rs.next() ? rs.getString(1) : null;
            }
        }
        boolean ok = Passwords.verify(secret, hash);
        if (ok) {
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "UPDATE gateways SET last_seen_at = now() WHERE id = ?")) {
                ps.setString(1, gatewayId);
                ps.executeUpdate();
            }
        }
        return ok;
    }
}
