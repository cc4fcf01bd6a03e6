package org.communityguard.hub.storage;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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

    private static final int FLUSH_BYTES = 256 * 1024;

    private final ObjectMapper mapper;
    /** Writes {@code data} values one after another into the COPY buffer, with nothing between them. */
    private final JsonFactory json;
    private final UnprovisionedDevices unprovisioned;

    /** @param maxUnprovisionedPerGateway devices in no registry listed per gateway (UnprovisionedDevices) */
    public ReadingStore(ObjectMapper json, int maxUnprovisionedPerGateway, MeterRegistry metrics) {
        this.mapper = json;
        this.json = json.getFactory().copy().setRootValueSeparator(null)
                .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
                .disable(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM);
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
            CopyText row = new CopyText(FLUSH_BYTES + 4096);
            try (JsonGenerator data = dataWriter(row)) {
                for (UplinkBatch b : batches) {
                    for (IncomingReading r : b.readings()) {
                        appendRow(row, data, b.gatewayId(), r);
                        if (row.length() >= FLUSH_BYTES) {
                            row.sendTo(copy);
                        }
                    }
                }
            }
            row.sendTo(copy);
            copy.endCopy();
        } catch (IOException e) {
            // Jackson writes a tree held in memory into a byte array: nothing here does I/O that can fail.
            throw new IllegalStateException(e);
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    /** A generator for {@link #appendRow}: it writes each row's {@code data} and nothing between them. */
    JsonGenerator dataWriter(CopyText row) throws IOException {
        return json.createGenerator(row);
    }

    void appendRow(CopyText row, JsonGenerator data, String gatewayId, IncomingReading r) throws IOException {
        row.timestamp(r.time()).tab().timestamp(r.receivedAt()).tab();
        if (r.deviceTs() == null) {
            row.nul();
        } else {
            row.timestamp(r.deviceTs());
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
            row.raw('{');
            for (int i = 0; i < r.flags().size(); i++) {
                if (i > 0) {
                    row.raw(',');
                }
                row.text(r.flags().get(i));
            }
            row.raw('}');
        }
        row.tab();
        mapper.writeTree(data, r.data());
        // The generator buffers: the value must be in the row before the row ends.
        data.flush();
        row.endRow();
    }
}
