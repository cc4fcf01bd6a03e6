package org.communityguard.sim.bench.faults;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import org.communityguard.sim.ledger.LedgerSnapshot;

/**
 * The readings promise, counted: every (device, seq) a device got acknowledged (Mosquitto's
 * PUBACK, the agent's CoAP 2.04) is stored at the hub exactly once, and nothing is stored that no
 * device sent. One device at a time, so a long run does not hold every stored row in memory.
 */
public final class ReadingAudit {

    /** Duplicates listed per device, so that every device with some shows up. */
    private static final int PROBLEMS_PER_DEVICE = 3;

    private ReadingAudit() {
    }

    /**
     * @param acknowledged distinct (device, seq) the devices got acknowledged
     * @param stored       of those, how many are stored at least once
     * @param lost         acknowledged and not stored
     * @param duplicated   rows beyond the first of any stored (device, seq)
     * @param unexpected   rows whose (device, seq) no simulated device sent
     * @param problems     the first few of each, to read in a failure message
     */
    public record Tally(long acknowledged, long stored, long lost, long duplicated, long unexpected,
                        List<String> problems) {

        static final int PROBLEMS_KEPT = 40;

        public Tally {
            problems = List.copyOf(problems);
        }

        /** Nothing lost, duplicated or made up. */
        public boolean clean() {
            return lost == 0 && duplicated == 0 && unexpected == 0;
        }
    }

    /** Compares the ledger with every readings row that carries a device seq. */
    public static Tally audit(Connection c, LedgerSnapshot ledger) throws SQLException {
        long acknowledged = 0;
        long stored = 0;
        long lost = 0;
        long duplicated = 0;
        long unexpected = 0;
        List<String> problems = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT seq, count(*), count(DISTINCT received_at),"
                        + " string_agg(to_char(received_at AT TIME ZONE 'UTC', 'HH24:MI:SS.MS'), ' ' ORDER BY received_at)"
                        + " FROM readings WHERE device_id = ? AND seq IS NOT NULL GROUP BY seq")) {
            for (Map.Entry<String, SortedSet<Long>> device : ledger.sent().entrySet()) {
                String id = device.getKey();
                Map<Long, Long> rows = new TreeMap<>();
                Map<Long, Long> receivedAt = new TreeMap<>();
                Map<Long, String> receiveTimes = new TreeMap<>();
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.put(rs.getLong(1), rs.getLong(2));
                        receivedAt.put(rs.getLong(1), rs.getLong(3));
                        if (rs.getLong(2) > 1) {
                            receiveTimes.put(rs.getLong(1), rs.getString(4));
                        }
                    }
                }
                int noted = 0;
                Set<Long> acked = ledger.acknowledged().getOrDefault(id, Collections.emptySortedSet());
                for (long seq : acked) {
                    acknowledged++;
                    if (rows.containsKey(seq)) {
                        stored++;
                    } else {
                        lost++;
                        note(problems, id + " seq " + seq + " acknowledged, not stored");
                    }
                }
                for (Map.Entry<Long, Long> row : rows.entrySet()) {
                    if (row.getValue() > 1) {
                        duplicated += row.getValue() - 1;
                        // One gateway receive time: the gateway sent one reading twice; several: it
                        // took the device's message more than once.
                        long times = receivedAt.get(row.getKey());
                        if (noted++ < PROBLEMS_PER_DEVICE) {
                            note(problems, id + " seq " + row.getKey() + " stored " + row.getValue() + " times, "
                                    + (times == 1 ? "one gateway receive time" : times + " gateway receive times")
                                    + " (" + receiveTimes.get(row.getKey()) + " UTC)"
                                    + (acked.contains(row.getKey()) ? "" : ", never acknowledged to the device"));
                        }
                    }
                    if (!device.getValue().contains(row.getKey())) {
                        unexpected += row.getValue();
                        note(problems, id + " seq " + row.getKey() + " stored, never sent");
                    }
                }
            }
        }
        // Devices the simulation does not have: nothing of theirs should carry a seq here.
        try (PreparedStatement ps = c.prepareStatement("SELECT device_id, count(*) FROM readings"
                + " WHERE seq IS NOT NULL AND device_id <> ALL(?) GROUP BY 1 ORDER BY 1")) {
            Array ids = c.createArrayOf("text", ledger.sent().keySet().toArray());
            ps.setArray(1, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    unexpected += rs.getLong(2);
                    note(problems, rs.getString(1) + ": " + rs.getLong(2) + " readings stored, not a simulated device");
                }
            }
        }
        return new Tally(acknowledged, stored, lost, duplicated, unexpected, problems);
    }

    private static void note(List<String> problems, String problem) {
        if (problems.size() < Tally.PROBLEMS_KEPT) {
            problems.add(problem);
        }
    }
}
