package org.communityguard.hub.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Map;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Session expiry against the real table, on a clock the test moves (nothing waits). */
@ExtendWith(RealServers.class)
class SessionsIT {

    /** A clock the test sets. */
    private static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-11-21T08:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    @Test
    void sessionsEndWhenIdleOrAtTheirLifetimeAndOnlyTheirHashIsStored(TimescaleDb timescale) throws Exception {
        try (Hub hub = HubFixture.start(timescale.createDatabase(), Map.of())) {
            TestClock clock = new TestClock();
            Sessions sessions = new Sessions(hub.database().dataSource(), Duration.ofHours(1), Duration.ofMinutes(30), clock);
            Principal admin = new Principal("admin", Role.ADMIN);

            Sessions.Session idle = sessions.create(admin, "192.0.2.1");
            clock.advance(Duration.ofMinutes(29));
            assertThat(sessions.resolve(idle.id())).isPresent();
            clock.advance(Duration.ofMinutes(29));
            assertThat(sessions.resolve(idle.id())).as("used 29 min ago: still fine").isPresent();
            clock.advance(Duration.ofMinutes(31));
            assertThat(sessions.resolve(idle.id())).as("31 min without use").isEmpty();

            Sessions.Session busy = sessions.create(admin, "192.0.2.1");
            for (int i = 0; i < 5; i++) {
                clock.advance(Duration.ofMinutes(10));
                assertThat(sessions.resolve(busy.id())).isPresent();
            }
            clock.advance(Duration.ofMinutes(11));
            assertThat(sessions.resolve(busy.id())).as("in use, but an hour old").isEmpty();
            assertThat(sessions.resolve("made-up")).isEmpty();

            Sessions.Session live = sessions.create(admin, "192.0.2.1");
            assertThat(live.id()).hasSize(43).isNotEqualTo(live.csrfToken());
            try (Connection c = hub.database().dataSource().getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT id_sha256 FROM console_sessions")) {
                while (rs.next()) {
                    assertThat(rs.getBytes(1)).hasSize(32);
                    assertThat(Arrays.equals(rs.getBytes(1), live.id().getBytes(StandardCharsets.UTF_8))).isFalse();
                }
            }
            assertThat(sessions.purgeExpired()).isEqualTo(2);
            sessions.delete(live.id());
            assertThat(sessions.resolve(live.id())).isEmpty();
        }
    }
}
