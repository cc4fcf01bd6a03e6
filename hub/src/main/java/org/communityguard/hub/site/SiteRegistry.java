package org.communityguard.hub.site;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a site file into the registry tables. Idempotent: inserts or updates, never deletes.
 * A load is announced on {@link #CHANGED_CHANNEL} when it commits, so every hub of the database
 * checks its gateways' readings against it at once (ingest.GatewayBinding).
 */
public final class SiteRegistry {

    private static final Logger log = LoggerFactory.getLogger(SiteRegistry.class);

    /** The PostgreSQL notification channel of registry changes. */
    public static final String CHANGED_CHANNEL = "device_registry";

    private final DataSource dataSource;

    public SiteRegistry(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void load(SiteFile site) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO communities (id, name) VALUES (?, ?)"
                        + " ON CONFLICT (id) DO UPDATE SET name = excluded.name")) {
                    ps.setString(1, site.community());
                    ps.setString(2, site.name());
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO gateways (id, community_id, name) VALUES (?, ?, ?)"
                        + " ON CONFLICT (id) DO UPDATE SET community_id = excluded.community_id, name = excluded.name")) {
                    for (SiteFile.Gateway g : site.gateways()) {
                        ps.setString(1, g.id());
                        ps.setString(2, site.community());
                        ps.setString(3, g.name());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO buildings (community_id, id, name, grid, plan_x, plan_y)"
                        + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (community_id, id) DO UPDATE SET name = excluded.name,"
                        + " grid = excluded.grid, plan_x = excluded.plan_x, plan_y = excluded.plan_y")) {
                    for (SiteFile.Building b : site.buildings()) {
                        ps.setString(1, site.community());
                        ps.setString(2, b.id());
                        ps.setString(3, b.name());
                        ps.setString(4, b.grid());
                        ps.setObject(5, b.x(), Types.REAL);
                        ps.setObject(6, b.y(), Types.REAL);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO devices (id, community_id, type, building_id, gateway_id, location, interval_s, provisioned,"
                                + " plan_x, plan_y) VALUES (?, ?, ?, ?, ?, ?, ?, true, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                                + " plan_x = excluded.plan_x, plan_y = excluded.plan_y,"
                                + " community_id = excluded.community_id, type = excluded.type, building_id = excluded.building_id,"
                                + " gateway_id = excluded.gateway_id, location = excluded.location,"
                                + " interval_s = excluded.interval_s, provisioned = true")) {
                    for (SiteFile.Device d : site.devices()) {
                        ps.setString(1, d.id());
                        ps.setString(2, site.community());
                        ps.setString(3, d.type());
                        ps.setString(4, d.building());
                        ps.setString(5, d.gateway());
                        ps.setString(6, d.location());
                        if (d.intervalS() == null) {
                            ps.setNull(7, Types.INTEGER);
                        } else {
                            ps.setInt(7, d.intervalS());
                        }
                        ps.setObject(8, d.x(), Types.REAL);
                        ps.setObject(9, d.y(), Types.REAL);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify('" + CHANGED_CHANNEL + "', '')")) {
                    ps.execute();
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
        log.info("site {} loaded: {} gateways, {} buildings, {} devices", site.community(), site.gateways().size(),
                site.buildings().size(), site.devices().size());
    }
}
