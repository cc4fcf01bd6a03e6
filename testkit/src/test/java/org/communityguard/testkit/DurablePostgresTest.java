package org.communityguard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealServers.class)
class DurablePostgresTest {

    @Test
    void isDurableAndApartFromTheSharedServer(DurablePostgres postgres, TimescaleDb shared) throws SQLException {
        assertThat(postgres.port()).isNotEqualTo(shared.port());
        assertThat(postgres.timescaleAvailable()).as("TimescaleDB preloaded on %s", postgres).isTrue();
        try (Connection connection = postgres.createDatabase().connect(); Statement sql = connection.createStatement()) {
            for (String setting : new String[] {"fsync", "synchronous_commit", "full_page_writes"}) {
                assertThat(text(sql, "SHOW " + setting)).as(setting).isEqualTo("on");
            }
            sql.execute("CREATE EXTENSION timescaledb");
        }
    }

    @Test
    void survivesKillNineWithWhatWasCommittedAndNothingElse(DurablePostgres postgres, TimescaleDb shared)
            throws SQLException {
        Database db = postgres.createDatabase();
        int port = postgres.port();
        try (Connection setup = db.connect(); Statement sql = setup.createStatement()) {
            sql.execute("CREATE TABLE t (n int)");
            sql.execute("INSERT INTO t SELECT generate_series(1, 1000)");
        }
        Connection open = db.connect();
        open.setAutoCommit(false);
        try (Statement sql = open.createStatement()) {
            sql.execute("INSERT INTO t VALUES (-1)"); // never committed
        }

        postgres.kill9();

        assertThat(postgres.running()).isFalse();
        assertThatThrownBy(() -> open.createStatement().execute("SELECT 1")).isInstanceOf(SQLException.class);
        open.close();
        assertThat(postgres.awaitAccepting(Duration.ofMillis(500))).as("down until restarted").isFalse();
        assertThat(Readiness.acceptsJdbc(shared.host(), shared.port())).as("the shared server is untouched").isTrue();

        postgres.restart();

        assertThat(postgres.running()).isTrue();
        assertThat(postgres.port()).isEqualTo(port);
        assertThat(postgres.awaitAccepting(Duration.ofSeconds(5))).isTrue();
        try (Connection connection = db.connect(); Statement sql = connection.createStatement()) {
            assertThat(text(sql, "SELECT count(*) FROM t")).isEqualTo("1000");
            assertThat(text(sql, "SELECT count(*) FROM t WHERE n < 0")).isEqualTo("0");
            sql.execute("INSERT INTO t VALUES (1001)");
        }
        // Killed again right after a commit: the commit was on disk before it returned.
        postgres.kill9();
        postgres.restart();
        try (Connection connection = db.connect(); Statement sql = connection.createStatement()) {
            assertThat(text(sql, "SELECT max(n) FROM t")).isEqualTo("1001");
        }
    }

    private static String text(Statement sql, String query) throws SQLException {
        try (ResultSet rows = sql.executeQuery(query)) {
            rows.next();
            return rows.getString(1);
        }
    }
}
