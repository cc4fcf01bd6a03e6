package org.communityguard.hub.storage;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.communityguard.hub.ingest.IncomingReading;
import org.communityguard.hub.ingest.UplinkBatch;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Where readings are stored: batch keys into {@code uplink_batches}, readings by COPY into
 * {@code readings}. Both run inside the caller's transaction so a batch and its key commit
 * together (that is what makes a resent batch be stored once).
 */
public final class ReadingStore {

    static final String COPY_SQL = "COPY readings (time, received_at, device_ts, gateway_id, device_id,"
            + " device_type, kind, seq, flags, data) FROM STDIN";

    private static final int FLUSH_CHARS = 256 * 1024;

    private final ObjectWriter json;
    private final UnprovisionedDevices unprovisioned;

    /** @param maxUnprovisionedPerGateway devices in no registry listed per gateway (UnprovisionedDevices) */
    public ReadingStore(ObjectMapper json, int maxUnprovisionedPerGateway, MeterRegistry metrics) {
        // The COPY buffer outlives each value: Jackson must not close it after writing one.
        this.json = json.writer().without(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        this.unprovisioned = new UnprovisionedDevices(maxUnprovisionedPerGateway, metrics);
    }

    /** A batch's idempotency key. */
    public record BatchKey(String gatewayId, String batchId) {
        public static BatchKey of(UplinkBatch b) {
            return new BatchKey(b.gatewayId(), b.batchId());
        }
    }

    /**
     * Records the keys of {@code batches}; returns those not recorded before. A concurrent
     * transaction claiming the same key blocks here until it ends, so two hubs never both win.
     */
    public Set<BatchKey> claim(Connection c, List<UplinkBatch> batches) throws SQLException {
        int n = batches.size();
        String[] gateways = new String[n];
        String[] ids = new String[n];
        Integer[] stored = new Integer[n];
        Integer[] rejected = new Integer[n];
        for (int i = 0; i < n; i++) {
            UplinkBatch b = batches.get(i);
            gateways[i] = b.gatewayId();
            ids[i] = b.batchId();
            stored[i] = b.readings().size();
            rejected[i] = b.rejected().size();
        }
        Set<BatchKey> fresh = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO uplink_batches (gateway_id, batch_id, readings, rejected)"
                        + " SELECT * FROM unnest(?::text[], ?::text[], ?::int[], ?::int[])"
                        + " ON CONFLICT DO NOTHING RETURNING gateway_id, batch_id")) {
            Array a1 = c.createArrayOf("text", gateways);
            Array a2 = c.createArrayOf("text", ids);
            Array a3 = c.createArrayOf("int4", stored);
            Array a4 = c.createArrayOf("int4", rejected);
            ps.setArray(1, a1);
            ps.setArray(2, a2);
            ps.setArray(3, a3);
            ps.setArray(4, a4);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    fresh.add(new BatchKey(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return fresh;
    }

    /** Corrects a claimed batch's counts when the database refused {@code refused} of its readings. */
    public void refused(Connection c, BatchKey key, int refused) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE uplink_batches SET readings = readings - ?,"
                + " rejected = rejected + ? WHERE gateway_id = ? AND batch_id = ?")) {
            ps.setInt(1, refused);
            ps.setInt(2, refused);
            ps.setString(3, key.gatewayId());
            ps.setString(4, key.batchId());
            ps.executeUpdate();
        }
    }

    /**
     * Streams the readings of {@code batches} into the readings table with one COPY, and enters
     * devices flagged {@code unprovisioned} in the registry.
     */
    public void copy(Connection c, List<UplinkBatch> batches) throws SQLException {
        unprovisioned.register(c, batches);
        CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY_SQL);
        try {
            StringBuilder sb = new StringBuilder(FLUSH_CHARS + 4096);
            CopyText row = new CopyText(sb);
            for (UplinkBatch b : batches) {
                for (IncomingReading r : b.readings()) {
                    appendRow(row, b.gatewayId(), r);
                    if (sb.length() >= FLUSH_CHARS) {
                        write(copy, sb);
                    }
                }
            }
            write(copy, sb);
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    void appendRow(CopyText row, String gatewayId, IncomingReading r) {
        row.text(Instant.ofEpochMilli(r.time()).toString()).tab()
                .text(Instant.ofEpochMilli(r.receivedAt()).toString()).tab();
        if (r.deviceTs() == null) {
            row.nul();
        } else {
            row.text(Instant.ofEpochMilli(r.deviceTs()).toString());
        }
        row.tab().text(gatewayId).tab().text(r.deviceId()).tab().text(r.deviceType()).tab().text(r.kind()).tab();
        if (r.seq() == null) {
            row.nul();
        } else {
            row.number(r.seq());
        }
        row.tab();
        if (r.flags().isEmpty()) {
            row.nul();
        } else {
            // Flags are plain lower-case words, so no array quoting is needed.
            row.text("{" + String.join(",", r.flags()) + "}");
        }
        row.tab();
        try {
            json.writeValue(row, r.data());
        } catch (IOException e) {
            // Writing a tree we parsed ourselves into memory cannot fail.
            throw new IllegalStateException(e);
        }
        row.endRow();
    }

    private static void write(CopyIn copy, StringBuilder sb) throws SQLException {
        if (sb.length() == 0) {
            return;
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        copy.writeToCopy(bytes, 0, bytes.length);
        sb.setLength(0);
    }
}
