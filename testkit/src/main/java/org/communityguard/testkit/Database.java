package org.communityguard.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * A fresh, empty database on the shared test server. Each call to
 * {@link TimescaleDb#createDatabase()} makes a new one, so tests never see each other's rows.
 */
public record Database(String jdbcUrl, String user, String password, String name) {

    /** Opens a plain JDBC connection; the caller closes it. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, user, password);
    }
}
