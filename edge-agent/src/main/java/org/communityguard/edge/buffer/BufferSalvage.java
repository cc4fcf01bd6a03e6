package org.communityguard.edge.buffer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies what can still be read from a damaged buffer file, moved aside by {@link BufferStore#open},
 * into the new one, so a damaged page costs the readings on it and not the whole backlog.
 *
 * <p>A damaged page fails every query that reads it, while the rest of the file is usually fine.
 * So each table is read in rowid order straight from its b-tree ({@code NOT INDEXED}: a damaged
 * index must not hide good rows), a chunk at a time; when a chunk fails, the first rowid past the
 * damage that reads again is found by probing ever further (1, 2, 4, ... rowids on) and then
 * bisecting back, and reading goes on from there. The rowids stepped over are reported as the most
 * that can have been lost (some may have been deleted rows already).
 *
 * <p>Batches keep their ids: a batch the hub may already have stored must be resent under its id,
 * even with fewer readings (the hub then stores what is left once, or recognizes it). Readings of a
 * batch whose record is unreadable cannot be resent under its id; they are resent as new readings,
 * which the hub may store a second time if it had stored that batch: a duplicate rather than a loss.
 *
 * <p>The salvage is one transaction on the new file, which also records the damaged file's name;
 * only after it commits is the damaged file deleted. A start interrupted before that salvages the
 * file again; one interrupted after it only deletes it.
 */
final class BufferSalvage {

    private static final Logger log = LoggerFactory.getLogger(BufferSalvage.class);
    private static final int CHUNK = 512;

    /** What a salvage recovered, and the most it may have lost. */
    record Report(Path file, long readings, long sealedReadings, long batches, long orphaned, long unreadable) {
    }

    private BufferSalvage() {
    }

    /** Salvages every file moved aside next to the store's file; failures leave the file for the next start. */
    static List<Report> salvageAll(BufferStore into) throws SQLException {
        List<Report> reports = new ArrayList<>();
        for (Path aside : into.movedAside()) {
            String name = aside.getFileName().toString();
            if (!into.salvaged(name)) {
                try {
                    reports.add(salvage(aside, into));
                } catch (SQLException e) {
                    into.rollback();
                    log.error("could not salvage {} into the buffer ({}); it is kept and tried again at the next start",
                            aside, e.getMessage());
                    continue;
                }
            }
            delete(aside);
        }
        return reports;
    }

    private static Report salvage(Path aside, BufferStore into) throws SQLException {
        long[] batchesUnreadable = new long[1];
        long[] unreadable = new long[1];
        // {readings, of them in kept batches, of them in batches whose record is lost}
        long[] counts = new long[3];
        Map<Long, Long> numbers = new HashMap<>();
        try (Connection from = open(aside)) {
            if (from == null) {
                unreadable[0] = 1;
            } else {
                // Numbers and places shifted past the new file's own, so the salvaged batches keep their order.
                long offset = into.maxBatchNumber();
                // Batches first: their readings refer to them.
                forEach(from, "batches", "number, id, acked_at, dead, coalesce(ord, number)", 5, batchesUnreadable, b -> {
                    long number = offset + ((Number) b[0]).longValue();
                    numbers.put(((Number) b[0]).longValue(), number);
                    into.insertSalvagedBatch(number, (String) b[1], b[2] == null ? null : ((Number) b[2]).longValue(),
                            (String) b[3], offset + ((Number) b[4]).longValue());
                });
                forEach(from, "readings", "device, seq, lane, droppable, rx, body, batch", 7, unreadable, r -> {
                    Long oldBatch = r[6] == null ? null : ((Number) r[6]).longValue();
                    Long batch = oldBatch == null ? null : numbers.get(oldBatch);
                    into.insertSalvaged((String) r[0], r[1] == null ? null : ((Number) r[1]).longValue(),
                            ((Number) r[2]).intValue(), ((Number) r[3]).intValue() == 1, ((Number) r[4]).longValue(),
                            (byte[]) r[5], batch);
                    counts[0]++;
                    counts[1] += batch == null ? 0 : 1;
                    counts[2] += oldBatch != null && batch == null ? 1 : 0;
                });
            }
        }
        into.settleSalvagedBatches();
        into.markSalvaged(aside.getFileName().toString());
        into.commit();
        Report report = new Report(aside, counts[0], counts[1], numbers.size(), counts[2], unreadable[0]);
        log.warn("salvaged {} readings ({} in {} batches kept under their ids, {} of batches whose record was"
                + " unreadable resent as new) from the damaged {}; up to {} readings were unreadable and are lost{}",
                report.readings(), report.sealedReadings(), report.batches(), report.orphaned(), aside,
                report.unreadable(), batchesUnreadable[0] > 0 ? " (and up to " + batchesUnreadable[0] + " batch records)" : "");
        return report;
    }

    /** A connection to the damaged file, or null when SQLite cannot open it at all. */
    private static Connection open(Path aside) {
        try {
            return DriverManager.getConnection("jdbc:sqlite:" + aside.toAbsolutePath());
        } catch (SQLException e) {
            log.warn("the damaged buffer file {} cannot be opened at all: {}", aside, e.getMessage());
            return null;
        }
    }

    @FunctionalInterface
    private interface RowSink {
        void accept(Object[] row) throws SQLException;
    }

    /**
     * Every row of {@code table} that can be read, in rowid order, to {@code sink}. Failures of the
     * damaged file are stepped over (counted in {@code unreadable}); failures of the sink are thrown.
     */
    private static void forEach(Connection from, String table, String columns, int width, long[] unreadable, RowSink sink)
            throws SQLException {
        long next = Long.MIN_VALUE;
        while (true) {
            List<Object[]> chunk = new ArrayList<>(CHUNK);
            long resumeAt;
            boolean failed = false;
            try {
                resumeAt = read(from, table, columns, width, next, CHUNK, chunk);
            } catch (SQLException e) {
                failed = true;
                resumeAt = chunk.isEmpty() ? next : (long) chunk.get(chunk.size() - 1)[width] + 1;
            }
            for (Object[] row : chunk) {
                sink.accept(row);
            }
            if (!failed) {
                if (chunk.size() < CHUNK) {
                    return;
                }
                next = resumeAt;
                continue;
            }
            long past = stepOver(from, table, columns, width, resumeAt);
            if (past == Long.MAX_VALUE) {
                // Nothing readable from here on: the damage reaches the end of the table.
                unreadable[0] += 1;
                log.warn("{} of the damaged buffer is unreadable {}", table,
                        resumeAt == Long.MIN_VALUE ? "altogether" : "from rowid " + resumeAt + " on");
                return;
            }
            unreadable[0] += past - resumeAt;
            next = past;
        }
    }

    /**
     * Reads up to {@code limit} rows from rowid {@code from} on into {@code out}, each with its rowid
     * last; returns the rowid after the last one read. Throws at the first row that cannot be read.
     */
    private static long read(Connection c, String table, String columns, int width, long from, int limit, List<Object[]> out)
            throws SQLException {
        long last = from - 1;
        try (PreparedStatement ps = c.prepareStatement("SELECT " + columns + ", rowid FROM " + table
                + " NOT INDEXED WHERE rowid >= ? ORDER BY rowid LIMIT ?")) {
            ps.setLong(1, from);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Object[] row = new Object[width + 1];
                    for (int i = 0; i < width; i++) {
                        row[i] = rs.getObject(i + 1);
                    }
                    row[width] = rs.getLong(width + 1);
                    last = (long) row[width];
                    out.add(row);
                }
            }
        }
        return last + 1;
    }

    /** The smallest rowid at or after {@code from} from which rows read again, or Long.MAX_VALUE. */
    private static long stepOver(Connection c, String table, String columns, int width, long from) {
        long failing = from;
        long step = 1;
        long readable = Long.MAX_VALUE;
        while (step > 0 && from + step > from) {
            if (reads(c, table, columns, width, from + step)) {
                readable = from + step;
                break;
            }
            failing = from + step;
            step <<= 1;
        }
        if (readable == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        while (readable - failing > 1) {
            long mid = failing + (readable - failing) / 2;
            if (reads(c, table, columns, width, mid)) {
                readable = mid;
            } else {
                failing = mid;
            }
        }
        return readable;
    }

    private static boolean reads(Connection c, String table, String columns, int width, long from) {
        try {
            read(c, table, columns, width, from, 1, new ArrayList<>(1));
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    private static void delete(Path aside) {
        try {
            for (String suffix : new String[] {"", "-wal", "-shm"}) {
                Files.deleteIfExists(aside.resolveSibling(aside.getFileName() + suffix));
            }
        } catch (IOException e) {
            log.warn("could not delete the salvaged file {}: {}", aside, e.getMessage());
        }
    }
}
