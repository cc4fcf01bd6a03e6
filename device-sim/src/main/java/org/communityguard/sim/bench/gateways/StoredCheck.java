package org.communityguard.sim.bench.gateways;

import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether the hub stored every acknowledged reading exactly once: the readings table's
 * (device, seq) pairs of the run's gateways, counted, against the sequence numbers each device
 * had acknowledged. A reading acknowledged and absent is lost; a pair stored twice is
 * duplicated (a resent batch stored again under its old key would show so); a reading stored but
 * never acknowledged is counted apart (a batch the hub committed while its connection dropped,
 * whose resend was not answered before the run ended: after a full drain there is none).
 */
final class StoredCheck {

    /** The check's counts; {@code batchKeys} are the uplink_batches rows of the run's gateways. */
    record Result(long acked, long stored, long lost, long duplicated, long storedUnacknowledged, long batchKeys) {
    }

    private final Map<String, BitSet> missing = new HashMap<>();
    private long acked;
    private long stored;
    private long duplicated;
    private long storedUnacknowledged;

    /** @param acked each device's acknowledged sequence numbers (copied, not changed) */
    StoredCheck(Map<String, BitSet> acked) {
        acked.forEach((device, seqs) -> {
            missing.put(device, (BitSet) seqs.clone());
            this.acked += seqs.cardinality();
        });
    }

    /** One (device, seq) of the table, stored {@code copies} times. */
    void stored(String device, long seq, long copies) {
        stored += copies;
        duplicated += copies - 1;
        BitSet seqs = missing.get(device);
        if (seqs != null && seq >= 0 && seq <= Integer.MAX_VALUE && seqs.get((int) seq)) {
            seqs.clear((int) seq);
        } else {
            storedUnacknowledged++;
        }
    }

    Result result(long batchKeys) {
        long lost = missing.values().stream().mapToLong(BitSet::cardinality).sum();
        return new Result(acked, stored, lost, duplicated, storedUnacknowledged, batchKeys);
    }

    /** Reads the table for {@code gatewayIds} and compares. */
    static Result run(String url, String user, String password, List<String> gatewayIds, Map<String, BitSet> acked)
            throws SQLException {
        StoredCheck check = new StoredCheck(acked);
        try (Connection db = DriverManager.getConnection(url, user, password)) {
            // A cursor, not every row in memory at once: a long run stores a few million.
            db.setAutoCommit(false);
            Array ids = db.createArrayOf("text", gatewayIds.toArray());
            long batchKeys;
            try (PreparedStatement ps = db.prepareStatement("SELECT device_id, seq, count(*) FROM readings"
                    + " WHERE gateway_id = ANY(?) AND seq IS NOT NULL GROUP BY device_id, seq")) {
                ps.setArray(1, ids);
                ps.setFetchSize(10_000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        check.stored(rs.getString(1), rs.getLong(2), rs.getLong(3));
                    }
                }
            }
            try (PreparedStatement ps = db.prepareStatement("SELECT count(*) FROM uplink_batches WHERE gateway_id = ANY(?)")) {
                ps.setArray(1, ids);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    batchKeys = rs.getLong(1);
                }
            }
            db.commit();
            return check.result(batchKeys);
        }
    }
}
