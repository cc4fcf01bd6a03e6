package org.communityguard.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import javax.sql.DataSource;
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
 * The live board's position in the timeline on the hub's database: each committed entry is read
 * once, in the read after its commit, also when transactions commit in another order than they
 * took their {@code seq}; a rolled-back entry never.
 */
@ExtendWith(RealServers.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TimelineFeedIT {

    private Hub hub;
    private DataSource ds;

    @BeforeAll
    void start(TimescaleDb timescale) throws Exception {
        hub = HubFixture.start(timescale.createDatabase(), Map.of());
        ds = hub.database().dataSource();
    }

    @AfterAll
    void stop() {
        hub.close();
    }

    @Test
    void anEntryCommittedAfterANewerOneIsReadOnceAndARolledBackOneNever() throws Exception {
        TimelineFeed feed = new TimelineFeed(ds, 100);
        long incident = incident(ds);
        String start = feed.now();
        try (Connection slow = ds.getConnection(); Connection quick = ds.getConnection();
             Connection undone = ds.getConnection()) {
            slow.setAutoCommit(false);
            undone.setAutoCommit(false);
            long slowSeq = entry(slow, incident, "acknowledged");
            entry(undone, incident, "checked_in");
            long quickSeq = entry(quick, incident, "escalated");
            assertThat(quickSeq).as("the quick one took its seq later").isGreaterThan(slowSeq);

            TimelineFeed.Batch first = feed.since(start);
            assertThat(first.entries()).extracting(TimelineFeed.Entry::seq).containsExactly(quickSeq);

            slow.commit();
            undone.rollback();
            TimelineFeed.Batch second = feed.since(first.snapshot());
            assertThat(second.entries()).as("committed after a newer entry was read: not skipped")
                    .singleElement().satisfies(e -> {
                        assertThat(e.seq()).isEqualTo(slowSeq);
                        assertThat(e.incidentId()).isEqualTo(incident);
                        assertThat(e.action()).isEqualTo("acknowledged");
                    });
            assertThat(feed.since(second.snapshot()).entries()).as("each entry once").isEmpty();
            assertThat(feed.since(start).entries()).extracting(TimelineFeed.Entry::seq)
                    .containsExactly(slowSeq, quickSeq);
        }
    }

    @Test
    void moreNewEntriesThanTheLimitAreAnOverflowNotAFlood() throws Exception {
        TimelineFeed feed = new TimelineFeed(ds, 3);
        long incident = incident(ds);
        String start = feed.now();
        try (Connection c = ds.getConnection()) {
            for (int i = 0; i < 4; i++) {
                entry(c, incident, "escalated");
            }
        }
        TimelineFeed.Batch batch = feed.since(start);
        assertThat(batch.overflow()).isTrue();
        assertThat(batch.entries()).isEmpty();
        assertThat(feed.since(batch.snapshot()).entries()).as("the position moved past them").isEmpty();
    }

    /** Closed, so the hub's own loop leaves it (and the timeline) alone while the test writes entries. */
    private static long incident(DataSource ds) throws Exception {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO incidents"
                + " (type, severity, status, occurred_at, summary) VALUES ('REPORT_OTHER', 'minor', 'closed', now(), 'feed test')"
                + " RETURNING id");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long entry(Connection c, long incident, String action) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO incident_timeline (incident_id, actor, action)"
                + " VALUES (?, 'test', ?) RETURNING seq")) {
            ps.setLong(1, incident);
            ps.setString(2, action);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
