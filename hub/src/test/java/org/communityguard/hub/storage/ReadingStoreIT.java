package org.communityguard.hub.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.hub.ingest.BatchCodec;
import org.communityguard.hub.ingest.IncomingReading;
import org.communityguard.hub.ingest.UplinkBatch;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What goes in by COPY comes out the same: every column of every reading, for the characters
 * COPY's text format reserves, JSON's escapes, text beyond ASCII, numbers beyond a long, and
 * times at the edges of the years the hub stores; over more than one flush of the COPY buffer.
 */
@ExtendWith(RealServers.class)
class ReadingStoreIT {

    private static final ObjectMapper JSON = Hub.jsonMapper();
    private static final long[] TIMES = {-62_135_596_800_000L, 253_402_300_799_999L, 0, -1, 951_782_400_000L,
            1_765_065_600_123L};

    @Test
    void everyColumnReadsBackAsItWasDecoded(TimescaleDb timescale) throws Exception {
        List<UplinkBatch> batches = new ArrayList<>();
        for (int b = 0; b < 3; b++) {
            batches.add(decode(batch("gw-1", "b" + b, 1500, b)));
        }
        try (Hub hub = HubFixture.start(timescale.createDatabase(), Map.of())) {
            ReadingStore store = new ReadingStore(JSON, 1000, new SimpleMeterRegistry());
            try (Connection c = hub.database().dataSource().getConnection()) {
                c.setAutoCommit(false);
                assertThat(store.claim(c, batches)).hasSize(3);
                store.copy(c, batches);
                c.commit();
            }
            int checked = 0;
            try (Connection c = hub.database().dataSource().getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT time, received_at, device_ts, gateway_id, device_type,"
                         + " kind, seq, flags, data::text FROM readings WHERE device_id = ?")) {
                for (UplinkBatch batch : batches) {
                    for (IncomingReading r : batch.readings()) {
                        ps.setString(1, r.deviceId());
                        try (ResultSet rs = ps.executeQuery()) {
                            assertThat(rs.next()).as(r.deviceId()).isTrue();
                            assertThat(millis(rs, 1)).isEqualTo(r.time());
                            assertThat(millis(rs, 2)).isEqualTo(r.receivedAt());
                            assertThat(rs.getObject(3) == null ? null : millis(rs, 3)).isEqualTo(r.deviceTs());
                            assertThat(rs.getString(4)).isEqualTo("gw-1");
                            assertThat(rs.getString(5)).isEqualTo(r.deviceType());
                            assertThat(rs.getString(6)).isEqualTo(r.kind());
                            assertThat(rs.getObject(7) == null ? null : rs.getLong(7)).isEqualTo(r.seq());
                            assertThat(rs.getArray(8) == null ? List.of() : List.of((String[]) rs.getArray(8).getArray()))
                                    .isEqualTo(r.flags());
                            assertThat(JSON.readTree(rs.getString(9))).as(r.deviceId()).isEqualTo(r.data());
                            assertThat(rs.next()).isFalse();
                            checked++;
                        }
                    }
                }
            }
            assertThat(checked).isEqualTo(4500);
        }
    }

    /** Readings whose data hold what is hard to carry through COPY; every one is valid. */
    private static byte[] batch(String gateway, String id, int n, int salt) throws Exception {
        ObjectNode root = JSON.createObjectNode().put("v", 1).put("gateway", gateway).put("batch", id);
        ArrayNode readings = root.putArray("readings");
        for (int i = 0; i < n; i++) {
            long time = TIMES[(i + salt) % TIMES.length];
            ObjectNode r = readings.addObject().put("device", "dev-" + salt + "-" + i).put("type", "smoke_detector")
                    .put("kind", i % 2 == 0 ? "telemetry" : "event").put("rx", i % 3 == 0 ? 1_765_065_600_123L + i : Math.max(1, time));
            if (i % 3 == 1) {
                r.put("ts", time);
            }
            if (i % 4 != 0) {
                r.put("seq", 4_294_967_295L - i);
            }
            if (i % 5 == 0) {
                r.putArray("flags").add("late").add("replayed");
            }
            ObjectNode data = r.putObject("data");
            data.put("text", "tab\there, newline\nthere, cr\r, backslash \\ and \\\\N, quote \" " + i);
            data.put("unicode", "楼栋 " + i + " 🔥 é");
            data.put("big", new BigInteger("123456789012345678901234567890").add(BigInteger.valueOf(i)));
            data.put("small", -0.000123 * (i + 1)); // not -0.0: jsonb has no negative zero
            data.putObject("nested").putArray("list").add(i).add("\\t").addNull().add(true);
            data.put("padding", "x".repeat(i % 200));
        }
        return JSON.writeValueAsBytes(root);
    }

    private static UplinkBatch decode(byte[] payload) {
        BatchCodec.Result result = new BatchCodec(JSON).decode(new ByteArrayInputStream(payload));
        UplinkBatch batch = ((BatchCodec.Decoded) result).batch();
        assertThat(batch.rejected()).isEmpty();
        return batch;
    }

    /** As OffsetDateTime: java.sql.Timestamp would shift the year 1 by the Julian calendar's days. */
    private static long millis(ResultSet rs, int column) throws Exception {
        return rs.getObject(column, OffsetDateTime.class).toInstant().toEpochMilli();
    }

}
