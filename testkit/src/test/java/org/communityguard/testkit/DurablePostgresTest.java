package org.communityguard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
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

    @Test
    void takesSettingsOfItsOwnAtTheNextStartAndStopsFastOrImmediately(DurablePostgres postgres) throws Exception {
        Database db = postgres.createDatabase();
        try (Connection connection = db.connect(); Statement sql = connection.createStatement()) {
            sql.execute("CREATE TABLE t (n int)");
            sql.execute("INSERT INTO t VALUES (1)");
        }
        postgres.configure("archive_mode = on\narchive_command = '/bin/true'");

        postgres.stop(DurablePostgres.Shutdown.FAST);
        assertThat(postgres.running()).isFalse();
        postgres.restart();
        try (Connection connection = db.connect(); Statement sql = connection.createStatement()) {
            assertThat(text(sql, "SHOW archive_mode")).as("read at the start").isEqualTo("on");
            sql.execute("INSERT INTO t VALUES (2)");
        }

        postgres.stop(DurablePostgres.Shutdown.IMMEDIATE);
        assertThat(postgres.running()).isFalse();
        assertThat(postgres.awaitAccepting(Duration.ofMillis(500))).as("down until restarted").isFalse();
        postgres.restart();
        try (Connection connection = db.connect(); Statement sql = connection.createStatement()) {
            assertThat(text(sql, "SELECT sum(n) FROM t")).as("replayed from the WAL").isEqualTo("3");
        }
    }

    @Test
    void runsTheServersProgramsAsItsOsUserInItsOwnDirectories(DurablePostgres postgres) {
        Path made = postgres.createDirectory("archive");
        postgres.runAsServerUser(List.of("touch", made.resolve("written-by-the-server-user").toString()));

        assertThat(made.resolve("written-by-the-server-user")).exists();
        assertThat(postgres.dataDirectory().resolve("PG_VERSION")).exists();
        assertThat(postgres.runAsServerUser(List.of(postgres.program("pg_basebackup").toString(), "--version")))
                .contains("pg_basebackup (PostgreSQL)");
    }

    private static String text(Statement sql, String query) throws SQLException {
        try (ResultSet rows = sql.executeQuery(query)) {
            rows.next();
            return rows.getString(1);
        }
    }
}
