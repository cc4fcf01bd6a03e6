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
 * The readings promise, counted: every (device, boot, seq) a device got acknowledged (Mosquitto's
 * PUBACK, the agent's CoAP 2.04) is stored at the hub exactly once, and nothing is stored that no
 * device sent. A rebooted device's boots are told apart by the device time of the stored rows
 * ({@link LedgerSnapshot.Boot}). One boot at a time, so a long run does not hold every stored row
 * in memory. {@link Allowances} take out what the promise does not cover, and say so.
 */
public final class ReadingAudit {

    /** Duplicates listed per device, so that every device with some shows up. */
    private static final int PROBLEMS_PER_DEVICE = 3;
    /** Past any device time a boot can span (year 10000 and a day): the open end of the last boot. */
    private static final long TS_BEYOND = 253_402_387_200_000L;

    private ReadingAudit() {
    }

    /**
     * What the readings promise does not cover, per ledger key ({@link LedgerSnapshot#bootKey}).
     *
     * @param refused      poison readings (Poison): the gateway must refuse them, so they are
     *                     left out here and counted by {@link PoisonAudit}, even when Mosquitto
     *                     acknowledged them to the device
     * @param brokerWindow readings only Mosquitto had acknowledged, within its last autosave
     *                     before a power cut: the documented window in which they may be lost
     *                     (README, docs/edge-storage.md "Power loss"); a loss there is counted
     *                     as {@code lostInBrokerWindow}, not as {@code lost}
     */
    public record Allowances(Map<String, Set<Long>> refused, Map<String, Set<Long>> brokerWindow) {

        public static final Allowances NONE = new Allowances(Map.of(), Map.of());

        public Allowances {
            refused = Map.copyOf(refused);
            brokerWindow = Map.copyOf(brokerWindow);
        }

        boolean refused(String key, long seq) {
            return refused.getOrDefault(key, Set.of()).contains(seq);
        }

        boolean inBrokerWindow(String key, long seq) {
            return brokerWindow.getOrDefault(key, Set.of()).contains(seq);
        }

        /** How many acknowledged readings of {@code ledger} the hub need not hold. */
        public long acknowledgedIn(LedgerSnapshot ledger) {
            long n = 0;
            for (Map.Entry<String, SortedSet<Long>> key : ledger.acknowledged().entrySet()) {
                for (long seq : key.getValue()) {
                    if (refused(key.getKey(), seq) || inBrokerWindow(key.getKey(), seq)) {
                        n++;
                    }
                }
            }
            return n;
        }
    }

    /**
     * @param acknowledged       distinct (device, boot, seq) the devices got acknowledged, poison left out
     * @param stored             of those, how many are stored at least once
     * @param lost               acknowledged and not stored, outside the broker's window
     * @param lostInBrokerWindow acknowledged only by Mosquitto in its last autosave window before a power cut, and not stored
     * @param duplicated         rows beyond the first of any stored (device, boot, seq)
     * @param unexpected         rows whose (device, boot, seq) no simulated device sent
     * @param problems           the first few of each, to read in a failure message
     */
    public record Tally(long acknowledged, long stored, long lost, long lostInBrokerWindow, long duplicated,
                        long unexpected, List<String> problems) {

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
        return audit(c, ledger, Allowances.NONE);
    }

    /** The same, with what the promise does not cover taken out. */
    public static Tally audit(Connection c, LedgerSnapshot ledger, Allowances allowances) throws SQLException {
        long acknowledged = 0;
        long stored = 0;
        long lost = 0;
        long lostInWindow = 0;
        long duplicated = 0;
        long unexpected = 0;
        List<String> problems = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT seq, count(*), count(DISTINCT received_at),"
                        + " string_agg(to_char(received_at AT TIME ZONE 'UTC', 'HH24:MI:SS.MS'), ' ' ORDER BY received_at)"
                        + " FROM readings WHERE device_id = ? AND seq IS NOT NULL"
                        + " AND (? OR (device_ts >= to_timestamp(?::bigint / 1000.0) AND device_ts < to_timestamp(?::bigint / 1000.0)))"
                        + " GROUP BY seq")) {
            for (Map.Entry<String, SortedSet<Long>> device : ledger.sent().entrySet()) {
                String id = device.getKey();
                LedgerSnapshot.Boot boot = ledger.boots().getOrDefault(id, LedgerSnapshot.Boot.only(id));
                Map<Long, Long> rows = new TreeMap<>();
                Map<Long, Long> receivedAt = new TreeMap<>();
                Map<Long, String> receiveTimes = new TreeMap<>();
                ps.setString(1, boot.deviceId());
                // A device that never rebooted: all its rows, with or without a device time.
                ps.setBoolean(2, boot.fromTs() == Long.MIN_VALUE && boot.untilTs() == Long.MAX_VALUE);
                ps.setLong(3, Math.max(boot.fromTs(), 0));
                ps.setLong(4, Math.min(boot.untilTs(), TS_BEYOND));
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
                    if (allowances.refused(id, seq)) {
                        continue;
                    }
                    acknowledged++;
                    if (rows.containsKey(seq)) {
                        stored++;
                    } else if (allowances.inBrokerWindow(id, seq)) {
                        lostInWindow++;
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
            Array ids = c.createArrayOf("text", ledger.sent().keySet().stream()
                    .map(key -> ledger.boots().getOrDefault(key, LedgerSnapshot.Boot.only(key)).deviceId())
                    .distinct().toArray());
            ps.setArray(1, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    unexpected += rs.getLong(2);
                    note(problems, rs.getString(1) + ": " + rs.getLong(2) + " readings stored, not a simulated device");
                }
            }
        }
        return new Tally(acknowledged, stored, lost, lostInWindow, duplicated, unexpected, problems);
    }

    private static void note(List<String> problems, String problem) {
        if (problems.size() < Tally.PROBLEMS_KEPT) {
            problems.add(problem);
        }
    }
}
