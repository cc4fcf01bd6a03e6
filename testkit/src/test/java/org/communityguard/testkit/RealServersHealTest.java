package org.communityguard.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A fault test that forgets to undo its fault must not break the tests after it. The order is
 * the point here: the first method leaves both servers broken, the second checks they were healed.
 */
@ExtendWith(RealServers.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealServersHealTest {

    @Test
    @Order(1)
    void leavesTheDatabasePausedAndTheBrokerStopped(TimescaleDb timescale, Mosquitto mosquitto) {
        timescale.pause();
        mosquitto.stop();
        assertThat(Readiness.portClosed(mosquitto.host(), mosquitto.port())).isTrue();
    }

    @Test
    @Order(2)
    void findsBothServersWorkingAgain(TimescaleDb timescale, Mosquitto mosquitto) throws SQLException {
        assertThat(Readiness.acceptsMqtt(mosquitto.host(), mosquitto.port())).isTrue();
        Database database = timescale.createDatabase();
        try (Connection connection = database.connect(); Statement sql = connection.createStatement()) {
            assertThat(sql.execute("SELECT 1")).isTrue();
        }
    }
}
