package org.communityguard.sim.bench.faults;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.communityguard.sim.Alarm;
import org.communityguard.sim.ledger.LedgerSnapshot;

/**
 * The end of a fault run: waits until what the devices were told is safe has reached the hub,
 * before {@link ReadingAudit} and {@link AlarmAudit} count. Settled means the agent's buffer is
 * empty, the hub holds at least as many sequenced readings as were acknowledged, and every
 * alarm's detector has a FIRE incident. A run that loses something never settles: the wait ends
 * at the timeout, and the audits say what is missing.
 */
public final class Settle {

    private static final Pattern PENDING = Pattern.compile("(?m)^edge_buffer_pending_readings ([0-9.eE+]+)$");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** Opens a connection to the hub's database (which may be restarting: then it throws). */
    public interface ConnectionSource {
        Connection open() throws SQLException;
    }

    private Settle() {
    }

    /** True once settled, false when the timeout passed first. */
    public static boolean await(ConnectionSource db, URI agentMetrics, LedgerSnapshot ledger, List<Alarm> alarms,
                                Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (settled(db, agentMetrics, ledger, alarms)) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(500);
        }
    }

    /** The agent's {@code edge_buffer_pending_readings}; -1 when it does not answer. */
    public static double pendingReadings(URI agentMetrics) throws InterruptedException {
        try {
            String text = HTTP.send(HttpRequest.newBuilder(agentMetrics).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = PENDING.matcher(text);
            return m.find() ? Double.parseDouble(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private static boolean settled(ConnectionSource db, URI agentMetrics, LedgerSnapshot ledger, List<Alarm> alarms)
            throws InterruptedException {
        if (pendingReadings(agentMetrics) != 0) {
            return false;
        }
        try (Connection c = db.open()) {
            if (count(c, "SELECT count(*) FROM readings WHERE seq IS NOT NULL", null) < ledger.acknowledgedCount()) {
                return false;
            }
            Object[] detectors = alarms.stream().map(Alarm::deviceId).toArray();
            return count(c, "SELECT count(DISTINCT device_id) FROM incidents WHERE type = 'FIRE' AND device_id = ANY(?)",
                    detectors) >= detectors.length;
        } catch (SQLException e) {
            return false;
        }
    }

    private static long count(Connection c, String sql, Object[] texts) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (texts != null) {
                Array array = c.createArrayOf("text", texts);
                ps.setArray(1, array);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
