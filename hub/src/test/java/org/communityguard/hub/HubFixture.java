package org.communityguard.hub;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.communityguard.hub.config.Config;
import org.communityguard.hub.config.HubSettings;
import org.communityguard.hub.config.Setting;
import org.communityguard.testkit.Database;

/** Starts a real hub on free ports against a testkit database, with the demo site and one gateway. */
public final class HubFixture {

    public static final String GATEWAY = "gw-sunny-1";
    public static final String GATEWAY_SECRET = "gateway-secret-for-tests";
    public static final String ADMIN_PASSWORD = "admin-password-for-tests";

    private HubFixture() {
    }

    public static Hub start(Database db, Map<String, String> overrides) throws SQLException {
        Map<String, String> env = new HashMap<>();
        env.put("HUB_DB_URL", db.jdbcUrl());
        env.put("HUB_DB_USER", db.user());
        env.put("HUB_DB_PASSWORD", db.password());
        env.put("HUB_HTTP_HOST", "127.0.0.1");
        env.put("HUB_HTTP_PORT", "0");
        env.put("HUB_UPLINK_HOST", "127.0.0.1");
        env.put("HUB_UPLINK_PORT", "0");
        env.put("HUB_UPLINK_GATEWAYS", GATEWAY + ":" + GATEWAY_SECRET);
        env.put("HUB_ADMIN_PASSWORD", ADMIN_PASSWORD);
        env.put("HUB_SITE_FILE", "../deploy/demo/site.yaml");
        // The hub enforces retention at start, while a test may already be writing history in the
        // past on purpose (a day of 2020 for the supervision figures): a test's hub keeps
        // everything unless the test says otherwise (RetentionIT).
        for (Setting<?> keep : List.of(HubSettings.RETENTION_READINGS, HubSettings.RETENTION_ROLLUPS,
                HubSettings.RETENTION_INCIDENTS, HubSettings.RETENTION_AUDIT, HubSettings.RETENTION_PERSONAL)) {
            env.put(keep.envName(), "off");
        }
        env.putAll(overrides);
        return Hub.start(Config.load(HubSettings.ALL, null, env));
    }

    public static long count(Hub hub, String sql) throws SQLException {
        try (Connection c = hub.database().dataSource().getConnection();
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
