package org.communityguard.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;

/** What a running PostgreSQL server offers, read once after start-up for logs and {@link TimescaleDb}. */
record ServerFacts(String postgresVersion, Optional<String> timescaleVersion) {

    static ServerFacts read(String host, int port, boolean timescalePreloaded) {
        Properties properties = new Properties();
        properties.setProperty("user", PostgresBackend.USER);
        properties.setProperty("password", PostgresBackend.PASSWORD);
        try (Connection connection = DriverManager.getConnection(
                "jdbc:postgresql://" + host + ":" + port + "/postgres", properties);
             Statement statement = connection.createStatement()) {
            String postgresVersion = single(statement, "SHOW server_version").orElse("?");
            // Without the preload CREATE EXTENSION fails, so an installed but unloaded TimescaleDB does not count.
            Optional<String> timescaleVersion = timescalePreloaded
                    ? single(statement, "SELECT default_version FROM pg_available_extensions WHERE name = 'timescaledb'")
                    : Optional.empty();
            return new ServerFacts(postgresVersion, timescaleVersion);
        } catch (SQLException e) {
            throw new IllegalStateException("testkit: PostgreSQL on " + host + ":" + port
                    + " started but cannot be queried: " + e.getMessage(), e);
        }
    }

    private static Optional<String> single(Statement statement, String sql) throws SQLException {
        try (ResultSet rows = statement.executeQuery(sql)) {
            return rows.next() ? Optional.ofNullable(rows.getString(1)) : Optional.empty();
        }
    }

    String describeTimescale() {
        return timescaleVersion.map(version -> "TimescaleDB " + version)
                .orElse("NO TimescaleDB");
    }
}
