package org.communityguard.hub.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Map;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A gateway reconnecting with the secret it was let in with is not made to wait for Argon2 again
 * (a reconnect storm of thousands of gateways), and nothing else gets that shortcut: a wrong
 * secret, a secret changed on this or another hub, a gateway removed.
 */
@ExtendWith(RealServers.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayRegistryIT {

    private Hub hub;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private GatewayRegistry gateways;

    @BeforeAll
    void start(TimescaleDb timescale) throws Exception {
        hub = HubFixture.start(timescale.createDatabase(), Map.of());
        gateways = new GatewayRegistry(hub.database().dataSource(), registry);
    }

    @AfterAll
    void stop() {
        hub.close();
    }

    private double checks(String how) {
        var counter = registry.find("hub.gateway.checks").tag("how", how).counter();
        return counter == null ? 0 : counter.count();
    }

    /** As another hub on the same database would: a new hash, written straight to the table. */
    private void setSecretElsewhere(String gatewayId, String secret) throws Exception {
        try (Connection c = hub.database().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE gateways SET secret_hash = ? WHERE id = ?")) {
            ps.setString(1, Passwords.hash(secret));
            ps.setString(2, gatewayId);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    @Test
    void aReconnectWithTheSecretLetInBeforeSkipsArgon2() throws Exception {
        gateways.register("gw-storm", "first-secret");
        double argon2 = checks("argon2");

        assertThat(gateways.authenticate("gw-storm", "first-secret")).isTrue();
        assertThat(gateways.authenticate("gw-storm", "first-secret")).isTrue();
        assertThat(gateways.authenticate("gw-storm", "first-secret")).isTrue();

        assertThat(checks("argon2") - argon2).as("hashed once").isEqualTo(1);
        assertThat(checks("remembered")).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aWrongSecretIsRefusedAfterARightOne() throws Exception {
        gateways.register("gw-wrong", "right-secret");
        assertThat(gateways.authenticate("gw-wrong", "right-secret")).isTrue();

        assertThat(gateways.authenticate("gw-wrong", "wrong-secret")).isFalse();
        assertThat(gateways.authenticate("gw-wrong", "right-secret" + "x")).isFalse();
        assertThat(gateways.authenticate("gw-wrong", "")).isFalse();
        assertThat(gateways.authenticate("gw-wrong", "right-secret")).as("the right one still works").isTrue();
    }

    @Test
    void aSecretChangedHereOrOnAnotherHubEndsTheOldOne() throws Exception {
        gateways.register("gw-rotate", "old-secret");
        assertThat(gateways.authenticate("gw-rotate", "old-secret")).isTrue();

        gateways.register("gw-rotate", "new-secret");
        assertThat(gateways.authenticate("gw-rotate", "old-secret")).isFalse();
        assertThat(gateways.authenticate("gw-rotate", "new-secret")).isTrue();

        setSecretElsewhere("gw-rotate", "newest-secret");
        assertThat(gateways.authenticate("gw-rotate", "new-secret")).isFalse();
        assertThat(gateways.authenticate("gw-rotate", "newest-secret")).isTrue();
    }

    @Test
    void aRemovedGatewayIsRefusedAlthoughItWasLetInBefore() throws Exception {
        gateways.register("gw-removed", "its-secret");
        assertThat(gateways.authenticate("gw-removed", "its-secret")).isTrue();

        try (Connection c = hub.database().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM gateways WHERE id = ?")) {
            ps.setString(1, "gw-removed");
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }

        assertThat(gateways.authenticate("gw-removed", "its-secret")).isFalse();
    }
}
