package org.communityguard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealServers.class)
class TimescaleDbTest {

    @Test
    void hypertableTimeBucketAndDropChunksWork(TimescaleDb timescale) throws SQLException {
        assertThat(timescale.timescaleAvailable())
                .as("TimescaleDB available on %s (run deploy/test.sh to install it)", timescale)
                .isTrue();
        assertThat(timescale.timescaleLicense()).isIn("apache", "timescale");
        Database database = timescale.createDatabase();
        try (Connection connection = database.connect(); Statement sql = connection.createStatement()) {
            sql.execute("CREATE EXTENSION timescaledb");
            sql.execute("CREATE TABLE reading (time timestamptz NOT NULL, device text NOT NULL, value double precision)");
            sql.execute("SELECT create_hypertable('reading', 'time', chunk_time_interval => interval '1 day')");
            // Six readings a day (every 4 hours) for ten days, 2024-01-01 .. 2024-01-10, UTC.
            sql.execute("""
                    INSERT INTO reading
                    SELECT t, 'lamp-1', 1.0
                    FROM generate_series(timestamptz '2024-01-01 00:00+00', timestamptz '2024-01-10 20:00+00', interval '4 hours') t
                    """);

            List<Long> perDay = longs(sql, """
                    SELECT count(*) FROM reading
                    GROUP BY time_bucket(interval '1 day', time, 'UTC') ORDER BY 1
                    """);
            assertThat(perDay).hasSize(10).containsOnly(6L);

            List<Long> dropped = longs(sql,
                    "SELECT count(*) FROM drop_chunks('reading', older_than => timestamptz '2024-01-06 00:00+00')");
            assertThat(dropped).containsExactly(5L);
            assertThat(longs(sql, "SELECT count(*) FROM reading")).containsExactly(30L);
            assertThat(longs(sql, "SELECT count(*) FROM reading WHERE time < timestamptz '2024-01-06 00:00+00'"))
                    .containsExactly(0L);
        }
    }

    @Test
    void eachDatabaseIsFreshAndSeparate(TimescaleDb timescale) throws SQLException {
        Database first = timescale.createDatabase();
        Database second = timescale.createDatabase();
        assertThat(first.name()).isNotEqualTo(second.name());
        try (Connection connection = first.connect(); Statement sql = connection.createStatement()) {
            sql.execute("CREATE TABLE only_in_first (id int)");
        }
        try (Connection connection = second.connect(); Statement sql = connection.createStatement()) {
            assertThat(longs(sql, "SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_first'"))
                    .containsExactly(0L);
            assertThat(longs(sql, "SELECT count(*) FROM pg_extension WHERE extname = 'timescaledb'"))
                    .as("the extension is available but not created")
                    .containsExactly(0L);
        }
    }

    @Test
    void pauseStallsTheServerUntilResume(TimescaleDb timescale) throws SQLException {
        Database database = timescale.createDatabase();
        Properties impatient = new Properties();
        impatient.setProperty("user", database.user());
        impatient.setProperty("password", database.password());
        impatient.setProperty("socketTimeout", "1"); // seconds: gives up on a server that does not answer
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), impatient);
             Statement sql = connection.createStatement()) {
            assertThat(longs(sql, "SELECT 1")).containsExactly(1L);

            timescale.pause();
            try {
                assertThatThrownBy(() -> longs(sql, "SELECT 2"))
                        .isInstanceOf(SQLException.class)
                        .hasRootCauseInstanceOf(SocketTimeoutException.class);
            } finally {
                timescale.resume();
            }
        }
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), impatient);
             Statement sql = connection.createStatement()) {
            assertThat(longs(sql, "SELECT 3")).containsExactly(3L);
        }
    }

    private static List<Long> longs(Statement sql, String query) throws SQLException {
        List<Long> values = new ArrayList<>();
        try (ResultSet rows = sql.executeQuery(query)) {
            while (rows.next()) {
                values.add(rows.getLong(1));
            }
        }
        return values;
    }
}
