package org.communityguard.hub.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.hub.config.ConfigException;
import org.communityguard.hub.ingest.BatchCodec;
import org.communityguard.hub.ingest.UplinkBatch;
import org.communityguard.testkit.Database;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Without TimescaleDB (the demo's embedded PostgreSQL, or HUB_DB_TIMESCALE=off) readings go
 * to a plain table with the same columns, and the same code stores them.
 */
@ExtendWith(RealServers.class)
class PlainPostgresIT {

    @Test
    void storesReadingsInAPlainTableWhenTimescaleIsOff(TimescaleDb timescale) throws Exception {
        Database db = timescale.createDatabase();
        try (Hub hub = HubFixture.start(db, Map.of("HUB_DB_TIMESCALE", "off"))) {
            assertThat(hub.database().timescale()).isFalse();
            UplinkBatch batch = ((BatchCodec.Decoded) new BatchCodec(Hub.jsonMapper())
                    .decode(getClass().getResourceAsStream("/uplink/batch-all-types.json"))).batch();
            ReadingStore store = new ReadingStore(Hub.jsonMapper(), 1000, new SimpleMeterRegistry());
            try (Connection c = hub.database().dataSource().getConnection()) {
                c.setAutoCommit(false);
                assertThat(store.claim(c, List.of(batch))).hasSize(1);
                store.copy(c, List.of(batch));
                c.commit();
            }
            assertThat(HubFixture.count(hub, "SELECT count(*) FROM readings")).isEqualTo(9);
            assertThat(HubFixture.count(hub, "SELECT count(*) FROM pg_extension WHERE extname = 'timescaledb'")).isZero();
            try (Connection c = db.connect(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT indexname FROM pg_indexes WHERE tablename = 'readings' ORDER BY 1")) {
                List<String> indexes = new java.util.ArrayList<>();
                while (rs.next()) {
                    indexes.add(rs.getString(1));
                }
                assertThat(indexes).containsExactly("readings_device_time_idx", "readings_time_idx");
            }
        }
    }

    @Test
    void requiredTimescaleRefusesAPlainTable(TimescaleDb timescale) throws Exception {
        Database db = timescale.createDatabase();
        HubFixture.start(db, Map.of("HUB_DB_TIMESCALE", "off")).close();

        assertThatThrownBy(() -> HubFixture.start(db, Map.of("HUB_DB_TIMESCALE", "required")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("HUB_DB_TIMESCALE=required");
    }
}
