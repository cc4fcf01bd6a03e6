package org.communityguard.hub.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.communityguard.hub.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's zero-install database: a plain PostgreSQL (no TimescaleDB) unpacked and started
 * by the hub itself. Production sets {@code HUB_DB_URL} instead.
 */
final class EmbeddedPostgres implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgres.class);

    private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres;

    private EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    static EmbeddedPostgres start(String dataDir) {
        if ("root".equals(System.getProperty("user.name"))) {
            // PostgreSQL itself refuses to run as root; say what to do instead of a stack trace.
            throw new ConfigException("the embedded PostgreSQL cannot run as root: run the hub as an ordinary user"
                    + " (deploy/demo.sh does this for you), or set HUB_DB_URL to a PostgreSQL/TimescaleDB server");
        }
        var builder = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                .setServerConfig("max_connections", "100")
                .setServerConfig("timezone", "UTC");
        if (!dataDir.isEmpty()) {
            try {
                Files.createDirectories(Path.of(dataDir));
            } catch (IOException e) {
                throw new ConfigException("cannot create HUB_DB_EMBEDDED_DIR " + dataDir + ": " + e.getMessage());
            }
            builder.setDataDirectory(Path.of(dataDir)).setCleanDataDirectory(false);
        }
        try {
            var pg = builder.start();
            log.info("embedded PostgreSQL started on port {} (plain PostgreSQL, no TimescaleDB; data in {})",
                    pg.getPort(), dataDir.isEmpty() ? "a temporary directory" : dataDir);
            return new EmbeddedPostgres(pg);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("cannot start the embedded PostgreSQL: " + e.getMessage()
                    + " (set HUB_DB_URL to use an existing server)");
        }
    }

    String jdbcUrl() {
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
