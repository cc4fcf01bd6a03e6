package org.communityguard.edge.buffer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The buffer's SQLite file: the SQL and nothing else. One connection, used by one thread at a
 * time (the buffer's writer, or the opener before the writer starts).
 *
 * <pre>
 *   readings(id, device, seq, lane, droppable, rx, body, batch)   body: the uplink JSON of the reading
 *   batches(number, id, size, acked_at, dead)                      id: the hub's idempotency key
 * </pre>
 * A reading is <em>loose</em> while {@code batch} is null, <em>sealed</em> once it names a batch.
 * Sealing and the batch's id are committed before the batch is first sent; an acknowledged batch
 * is kept (with its readings) for a grace period so duplicate detection survives a crash, then
 * purged.
 *
 * <p>Why SQLite (docs/edge-storage.md): WAL mode with {@code synchronous=FULL} makes a commit
 * durable once it returns, checksums every WAL frame and on opening ignores a torn or corrupt
 * tail (the last transactions that did not fully reach the disk); none of this is ours to get
 * wrong.
 */
final class BufferStore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BufferStore.class);

    /** Lanes: priority readings (safety events, the gateway's own events) are sealed first. */
    static final int LANE_PRIORITY = 0;
    static final int LANE_NORMAL = 1;

    private final Path file;
    private final Connection c;
    private final PreparedStatement insert;
    private final PreparedStatement looseInLane;
    private final PreparedStatement markSealed;
    private final PreparedStatement insertBatch;
    private final PreparedStatement ackBatch;
    private final PreparedStatement deadBatch;
    private final PreparedStatement oldestDroppable;
    private final PreparedStatement deleteDroppableUpTo;
    private final PreparedStatement batchReadings;
    private final int pageSize;

    /** One loose reading chosen for a batch. */
    record Row(long id, int lane, byte[] body) {
    }

    /** A batch that was sealed and not acknowledged when the file was opened. */
    record SealedBatch(long number, String id, int size) {
    }

    /** What dropping oldest droppable readings freed. */
    record Dropped(int readings, long bytes, long firstRx, long lastRx) {
        static final Dropped NONE = new Dropped(0, 0, 0, 0);
    }

    private BufferStore(Path file, Connection c) throws SQLException {
        this.file = file;
        this.c = c;
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            // FULL: the WAL is fsynced at every commit, so "committed" means "on disk".
            s.execute("PRAGMA synchronous=FULL");
            // A small page cache: the process's resident size matters on a Raspberry Pi.
            s.execute("PRAGMA cache_size=-2048");
            // After a checkpoint the WAL file is cut back to this size rather than staying at its peak.
            s.execute("PRAGMA journal_size_limit=16777216");
            s.execute("CREATE TABLE IF NOT EXISTS readings ("
                    + " id INTEGER PRIMARY KEY, device TEXT NOT NULL, seq INTEGER, lane INTEGER NOT NULL,"
                    + " droppable INTEGER NOT NULL, rx INTEGER NOT NULL, body BLOB NOT NULL, batch INTEGER)");
            s.execute("CREATE TABLE IF NOT EXISTS batches ("
                    + " number INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, size INTEGER NOT NULL,"
                    + " acked_at INTEGER, dead TEXT)");
            // Loose readings in sealing order; oldest droppable ones; a batch's readings.
            s.execute("CREATE INDEX IF NOT EXISTS readings_loose ON readings (lane, id) WHERE batch IS NULL");
            s.execute("CREATE INDEX IF NOT EXISTS readings_droppable ON readings (id) WHERE batch IS NULL AND droppable = 1");
            s.execute("CREATE INDEX IF NOT EXISTS readings_batch ON readings (batch) WHERE batch IS NOT NULL");
            try (ResultSet rs = s.executeQuery("PRAGMA page_size")) {
                rs.next();
                pageSize = rs.getInt(1);
            }
        }
        c.setAutoCommit(false);
        c.commit();
        insert = c.prepareStatement("INSERT INTO readings (device, seq, lane, droppable, rx, body) VALUES (?, ?, ?, ?, ?, ?)");
        looseInLane = c.prepareStatement("SELECT id, lane, body FROM readings WHERE batch IS NULL AND lane = ? ORDER BY id LIMIT ?");
        markSealed = c.prepareStatement("UPDATE readings SET batch = ? WHERE id = ?");
        insertBatch = c.prepareStatement("INSERT INTO batches (number, id, size) VALUES (?, ?, ?)");
        ackBatch = c.prepareStatement("UPDATE batches SET acked_at = ? WHERE number = ?");
        deadBatch = c.prepareStatement("UPDATE batches SET dead = ? WHERE number = ?");
        oldestDroppable = c.prepareStatement("SELECT id, length(body), rx FROM readings"
                + " WHERE batch IS NULL AND droppable = 1 ORDER BY id LIMIT ?");
        deleteDroppableUpTo = c.prepareStatement("DELETE FROM readings WHERE batch IS NULL AND droppable = 1 AND id <= ?");
        batchReadings = c.prepareStatement("SELECT body FROM readings WHERE batch = ? ORDER BY lane, id");
    }

    /**
     * Opens (or creates) the buffer file. A file SQLite cannot read at all (not a database,
     * corrupt beyond the WAL's own recovery) is moved aside, named in an ERROR line, and a new one
     * started: the gateway must come up and serve its devices either way.
     */
    static BufferStore open(Path file) throws SQLException {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new SQLException("cannot create the buffer directory of " + file + ": " + e.getMessage(), e);
        }
        try {
            BufferStore store = connect(file);
            store.check();
            return store;
        } catch (SQLException e) {
            if (!isCorruption(e)) {
                throw e;
            }
            Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + System.currentTimeMillis());
            log.error("the buffer file {} is unreadable ({}); moved aside to {} and starting a new one",
                    file, e.getMessage(), aside);
            moveAside(file, aside);
            return connect(file);
        }
    }

    private static BufferStore connect(Path file) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        try {
            return new BufferStore(file, c);
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Reads every page header the recovery queries touch; corruption surfaces here, at start. */
    private void check() throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), coalesce(max(id), 0) FROM readings")) {
            rs.next();
        }
        c.commit();
    }

    private static boolean isCorruption(SQLException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("SQLITE_CORRUPT") || m.contains("SQLITE_NOTADB") || m.contains("malformed")
                || m.contains("not a database");
    }

    private static void moveAside(Path file, Path aside) throws SQLException {
        try {
            Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            for (String suffix : new String[] {"-wal", "-shm"}) {
                Path extra = file.resolveSibling(file.getFileName() + suffix);
                if (Files.exists(extra)) {
                    Files.move(extra, aside.resolveSibling(aside.getFileName() + suffix), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new SQLException("cannot move the unreadable buffer file " + file + " aside: " + e.getMessage(), e);
        }
    }

    Path file() {
        return file;
    }

    // ---- Writes: all inside the writer's transaction, made durable by commit().

    /** Adds a loose reading to the statement batch; {@link #flushInserts()} writes them, in arrival order. */
    void insert(String device, Long seq, int lane, boolean droppable, long rx, byte[] body) throws SQLException {
        insert.setString(1, device);
        if (seq == null) {
            insert.setNull(2, java.sql.Types.INTEGER);
        } else {
            insert.setLong(2, seq);
        }
        insert.setInt(3, lane);
        insert.setInt(4, droppable ? 1 : 0);
        insert.setLong(5, rx);
        insert.setBytes(6, body);
        insert.addBatch();
    }

    void flushInserts() throws SQLException {
        insert.executeBatch();
    }

    /** Up to {@code limit} loose readings of a lane, oldest first. */
    List<Row> loose(int lane, int limit) throws SQLException {
        List<Row> rows = new ArrayList<>(Math.min(limit, 1024));
        if (limit <= 0) {
            return rows;
        }
        looseInLane.setInt(1, lane);
        looseInLane.setInt(2, limit);
        try (ResultSet rs = looseInLane.executeQuery()) {
            while (rs.next()) {
                rows.add(new Row(rs.getLong(1), rs.getInt(2), rs.getBytes(3)));
            }
        }
        return rows;
    }

    /** Records a batch and its members; the id is what the hub will deduplicate on. */
    void seal(long number, String id, List<Row> rows) throws SQLException {
        insertBatch.setLong(1, number);
        insertBatch.setString(2, id);
        insertBatch.setInt(3, rows.size());
        insertBatch.executeUpdate();
        for (Row r : rows) {
            markSealed.setLong(1, number);
            markSealed.setLong(2, r.id());
            markSealed.addBatch();
        }
        markSealed.executeBatch();
    }

    void acknowledged(long number, long atMillis) throws SQLException {
        ackBatch.setLong(1, atMillis);
        ackBatch.setLong(2, number);
        ackBatch.executeUpdate();
    }

    void deadLettered(long number, String why) throws SQLException {
        deadBatch.setString(1, why == null || why.isEmpty() ? "refused" : why);
        deadBatch.setLong(2, number);
        deadBatch.executeUpdate();
    }

    /** Deletes acknowledged batches (and their readings) acknowledged before {@code cutoff}; returns readings removed. */
    int purgeAcknowledged(long cutoffMillis) throws SQLException {
        int n;
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM readings WHERE batch IN"
                + " (SELECT number FROM batches WHERE acked_at IS NOT NULL AND acked_at < ?)")) {
            ps.setLong(1, cutoffMillis);
            n = ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM batches WHERE acked_at IS NOT NULL AND acked_at < ?")) {
            ps.setLong(1, cutoffMillis);
            ps.executeUpdate();
        }
        return n;
    }

    /** Deletes dead-lettered batches and their readings: under disk pressure, after acknowledged ones. */
    int purgeDead() throws SQLException {
        int n;
        try (Statement s = c.createStatement()) {
            n = s.executeUpdate("DELETE FROM readings WHERE batch IN (SELECT number FROM batches WHERE dead IS NOT NULL)");
            s.executeUpdate("DELETE FROM batches WHERE dead IS NOT NULL");
        }
        return n;
    }

    /** Deletes the oldest loose droppable readings until at least {@code bytes} are freed (estimated), or none is left. */
    Dropped dropOldest(long bytes, int rowOverhead) throws SQLException {
        int n = 0;
        long freed = 0;
        long firstRx = 0;
        long lastRx = 0;
        long lastId = -1;
        oldestDroppable.setInt(1, 100_000);
        try (ResultSet rs = oldestDroppable.executeQuery()) {
            while (freed < bytes && rs.next()) {
                lastId = rs.getLong(1);
                freed += rs.getLong(2) + rowOverhead;
                long rx = rs.getLong(3);
                firstRx = n == 0 ? rx : Math.min(firstRx, rx);
                lastRx = Math.max(lastRx, rx);
                n++;
            }
        }
        if (n == 0) {
            return Dropped.NONE;
        }
        deleteDroppableUpTo.setLong(1, lastId);
        deleteDroppableUpTo.executeUpdate();
        return new Dropped(n, freed, firstRx, lastRx);
    }

    void commit() throws SQLException {
        c.commit();
    }

    void rollback() {
        try {
            c.rollback();
        } catch (SQLException e) {
            log.warn("buffer rollback failed: {}", e.getMessage());
        }
    }

    // ---- Reads.

    /** Bytes of the file in use: pages holding data (free pages are reused before the file grows). */
    long usedBytes() throws SQLException {
        try (Statement s = c.createStatement()) {
            long pages;
            long free;
            try (ResultSet rs = s.executeQuery("PRAGMA page_count")) {
                rs.next();
                pages = rs.getLong(1);
            }
            try (ResultSet rs = s.executeQuery("PRAGMA freelist_count")) {
                rs.next();
                free = rs.getLong(1);
            }
            return (pages - free) * pageSize;
        }
    }

    /** The encoded readings of a batch, in the order they were sealed. */
    List<byte[]> batchReadings(long number) throws SQLException {
        List<byte[]> out = new ArrayList<>();
        batchReadings.setLong(1, number);
        try (ResultSet rs = batchReadings.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getBytes(1));
            }
        }
        return out;
    }

    /** Sealed batches not acknowledged nor dead, in sealing order: they go out first after a restart. */
    List<SealedBatch> unacknowledgedBatches() throws SQLException {
        List<SealedBatch> out = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT number, id, size FROM batches"
                     + " WHERE acked_at IS NULL AND dead IS NULL ORDER BY number")) {
            while (rs.next()) {
                out.add(new SealedBatch(rs.getLong(1), rs.getString(2), rs.getInt(3)));
            }
        }
        return out;
    }

    long maxBatchNumber() throws SQLException {
        return longQuery("SELECT coalesce(max(number), 0) FROM batches");
    }

    long looseCount(int lane) throws SQLException {
        return longQuery("SELECT count(*) FROM readings WHERE batch IS NULL AND lane = " + lane);
    }

    /**
     * Receive time of the oldest reading not yet acknowledged, or 0 when there is none. Ids are
     * arrival order, so it is the first reading of each lane and of the oldest open batch: three
     * index look-ups rather than a scan of a week's backlog.
     */
    long oldestPendingRx() throws SQLException {
        long oldest = Long.MAX_VALUE;
        for (String sql : new String[] {
                "SELECT rx FROM readings WHERE batch IS NULL AND lane = 0 ORDER BY id LIMIT 1",
                "SELECT rx FROM readings WHERE batch IS NULL AND lane = 1 ORDER BY id LIMIT 1",
                "SELECT min(rx) FROM readings WHERE batch = (SELECT min(number) FROM batches"
                        + " WHERE acked_at IS NULL AND dead IS NULL)"}) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                if (rs.next() && rs.getObject(1) != null) {
                    oldest = Math.min(oldest, rs.getLong(1));
                }
            }
        }
        return oldest == Long.MAX_VALUE ? 0 : oldest;
    }

    /** The bodies of the last {@code n} readings stored, acknowledged or not, oldest first. */
    List<byte[]> recent(int n) throws SQLException {
        List<byte[]> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT body FROM (SELECT id, body FROM readings ORDER BY id DESC LIMIT ?) ORDER BY id")) {
            ps.setInt(1, n);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getBytes(1));
                }
            }
        }
        return out;
    }

    private long longQuery(String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public void close() {
        try {
            c.rollback();
            c.close();
        } catch (SQLException e) {
            log.warn("closing the buffer file {}: {}", file, e.getMessage());
        }
    }
}
