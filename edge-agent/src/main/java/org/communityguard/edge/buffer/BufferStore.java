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
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The buffer's SQLite file: the SQL and nothing else. One connection, used by one thread at a
 * time (the buffer's writer, or the opener before the writer starts).
 *
 * <pre>
 *   readings(id, device, seq, lane, droppable, rx, body, batch)   body: the uplink JSON of the reading
 *   batches(number, id, size, acked_at, dead, ord)                 id: the hub's idempotency key
 *   salvaged(name)                                                 damaged files already salvaged into this one
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

    /** One reading chosen for a batch. */
    record Row(long id, int lane, byte[] body) {
    }

    /**
     * A sealed batch. {@code ord} is its place in the sending order: its number, or for the parts
     * of a batch that had to be split, the place of the batch they replace.
     */
    record SealedBatch(long number, String id, int size, long ord, boolean urgent) {
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
                    + " acked_at INTEGER, dead TEXT, ord INTEGER)");
            // Files written before batches could be split have no ord: their order is their number.
            boolean hasOrd = false;
            try (ResultSet rs = s.executeQuery("PRAGMA table_info(batches)")) {
                while (rs.next()) {
                    hasOrd |= "ord".equals(rs.getString("name"));
                }
            }
            if (!hasOrd) {
                s.execute("ALTER TABLE batches ADD COLUMN ord INTEGER");
            }
            s.execute("CREATE TABLE IF NOT EXISTS salvaged (name TEXT PRIMARY KEY)");
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
        insertBatch = c.prepareStatement("INSERT INTO batches (number, id, size, ord) VALUES (?, ?, ?, ?)");
        ackBatch = c.prepareStatement("UPDATE batches SET acked_at = ? WHERE number = ?");
        deadBatch = c.prepareStatement("UPDATE batches SET dead = ? WHERE number = ?");
        oldestDroppable = c.prepareStatement("SELECT id, length(body), rx FROM readings"
                + " WHERE batch IS NULL AND droppable = 1 ORDER BY id LIMIT ?");
        deleteDroppableUpTo = c.prepareStatement("DELETE FROM readings WHERE batch IS NULL AND droppable = 1 AND id <= ?");
        batchReadings = c.prepareStatement("SELECT id, lane, body FROM readings WHERE batch = ? ORDER BY lane, id");
    }

    /**
     * Opens (or creates) the buffer file. A damaged file (not a database, or pages that fail
     * SQLite's check) is moved aside as {@code <file>.corrupt-<ms>}, named in an ERROR line, and a
     * new one started: the gateway must come up and serve its devices either way. What can still be
     * read from the damaged file is then salvaged into the new one ({@link BufferSalvage}).
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
            log.error("the buffer file {} is damaged ({}); moved aside to {}, starting a new one and salvaging"
                    + " what can still be read into it", file, e.getMessage(), aside);
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

    /**
     * SQLite's own check of every page (b-tree structure of the tables and indexes, the free list),
     * so a damaged page surfaces here, at start, and not in the middle of a drain. It reads the file
     * once: nothing for a buffer that keeps up, tens of seconds per GB on an SD card for the
     * backlog of a long outage.
     */
    private void check() throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA quick_check(1)")) {
            String result = rs.next() ? rs.getString(1) : "no answer";
            if (!"ok".equals(result)) {
                throw new SQLException("[SQLITE_CORRUPT] quick_check: " + result);
            }
        }
        c.commit();
    }

    static boolean isCorruption(SQLException e) {
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

    /** Files moved aside by earlier starts: salvaged at once, or left by a salvage that did not finish. */
    List<Path> movedAside() throws SQLException {
        String prefix = file.getFileName() + ".corrupt-";
        try (var files = Files.list(file.toAbsolutePath().getParent())) {
            return files.filter(p -> {
                String name = p.getFileName().toString();
                return name.startsWith(prefix) && !name.endsWith("-wal") && !name.endsWith("-shm");
            }).sorted().toList();
        } catch (IOException e) {
            throw new SQLException("cannot list the buffer directory of " + file + ": " + e.getMessage(), e);
        }
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
    void seal(long number, String id, long ord, List<Row> rows) throws SQLException {
        insertBatch.setLong(1, number);
        insertBatch.setString(2, id);
        insertBatch.setInt(3, rows.size());
        insertBatch.setLong(4, ord);
        insertBatch.executeUpdate();
        for (Row r : rows) {
            markSealed.setLong(1, number);
            markSealed.setLong(2, r.id());
            markSealed.addBatch();
        }
        markSealed.executeBatch();
    }

    /**
     * Replaces an unacknowledged batch by its parts: the batch's id is retired (never sent again),
     * each part is a new batch with its own id in the batch's place. Only for a batch the hub has
     * not stored: one too large for it, or one it refused as malformed.
     */
    void split(long number, List<SealedBatch> parts, List<List<Row>> members) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM batches WHERE number = ?")) {
            ps.setLong(1, number);
            ps.executeUpdate();
        }
        for (int i = 0; i < parts.size(); i++) {
            SealedBatch part = parts.get(i);
            seal(part.number(), part.id(), part.ord(), members.get(i));
        }
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

    /**
     * Deletes the telemetry of dead-lettered batches (their events and status readings stay, as
     * everywhere in the buffer): under disk pressure, after acknowledged batches and loose
     * telemetry. Batches left empty go too.
     */
    Dropped purgeDeadTelemetry() throws SQLException {
        String dead = "batch IN (SELECT number FROM batches WHERE dead IS NOT NULL) AND droppable = 1";
        Dropped d;
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), coalesce(sum(length(body)), 0), coalesce(min(rx), 0),"
                     + " coalesce(max(rx), 0) FROM readings WHERE " + dead)) {
            rs.next();
            d = rs.getInt(1) == 0 ? Dropped.NONE : new Dropped(rs.getInt(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
        }
        if (d.readings() > 0) {
            try (Statement s = c.createStatement()) {
                s.executeUpdate("DELETE FROM readings WHERE " + dead);
                s.executeUpdate("UPDATE batches SET size = (SELECT count(*) FROM readings WHERE batch = number)"
                        + " WHERE dead IS NOT NULL");
                s.executeUpdate("DELETE FROM batches WHERE dead IS NOT NULL AND size = 0");
            }
        }
        return d;
    }

    /** Dead-lettered batches go back to the sending queue, same ids; returns {batches, readings}. */
    long[] retryDeadLetters() throws SQLException {
        long[] counts = {longQuery("SELECT count(*) FROM batches WHERE dead IS NOT NULL"), deadReadings()};
        if (counts[0] > 0) {
            try (Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE batches SET dead = NULL WHERE dead IS NOT NULL");
            }
        }
        return counts;
    }

    long deadReadings() throws SQLException {
        return longQuery("SELECT coalesce(sum(size), 0) FROM batches WHERE dead IS NOT NULL");
    }

    /** Inserts a reading salvaged from a damaged file, loose or in a batch of this file. */
    void insertSalvaged(String device, Long seq, int lane, boolean droppable, long rx, byte[] body, Long batch)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO readings (device, seq, lane, droppable, rx, body, batch) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, device);
            ps.setObject(2, seq);
            ps.setInt(3, lane);
            ps.setInt(4, droppable ? 1 : 0);
            ps.setLong(5, rx);
            ps.setBytes(6, body);
            ps.setObject(7, batch);
            ps.executeUpdate();
        }
    }

    /** Records a batch salvaged from a damaged file (its members are inserted after). */
    void insertSalvagedBatch(long number, String id, Long ackedAt, String dead, long ord) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO batches (number, id, size, acked_at, dead, ord) VALUES (?, ?, 0, ?, ?, ?)")) {
            ps.setLong(1, number);
            ps.setString(2, id);
            ps.setObject(3, ackedAt);
            ps.setString(4, dead);
            ps.setLong(5, ord);
            ps.executeUpdate();
        }
    }

    /** After a salvage: each salvaged batch's size is what could be read of it; empty ones go. */
    void settleSalvagedBatches() throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE batches SET size = (SELECT count(*) FROM readings WHERE batch = number)");
            s.executeUpdate("DELETE FROM batches WHERE size = 0");
        }
    }

    boolean salvaged(String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM salvaged WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    void markSalvaged(String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT OR IGNORE INTO salvaged (name) VALUES (?)")) {
            ps.setString(1, name);
            ps.executeUpdate();
        }
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
        return (longQuery("PRAGMA page_count") - longQuery("PRAGMA freelist_count")) * pageSize;
    }

    /** Bytes of the database file on disk (without its WAL). */
    long fileBytes() throws SQLException {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new SQLException("cannot read the size of " + file + ": " + e.getMessage(), e);
        }
    }

    /** The readings of a batch, in the order they were sealed. */
    List<Row> batchRows(long number) throws SQLException {
        List<Row> out = new ArrayList<>();
        batchReadings.setLong(1, number);
        try (ResultSet rs = batchReadings.executeQuery()) {
            while (rs.next()) {
                out.add(new Row(rs.getLong(1), rs.getInt(2), rs.getBytes(3)));
            }
        }
        return out;
    }

    /** Sealed batches not acknowledged nor dead, in sending order: they go out first after a restart. */
    List<SealedBatch> unacknowledgedBatches() throws SQLException {
        List<SealedBatch> out = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT number, id, size, coalesce(ord, number),"
                     + " NOT EXISTS (SELECT 1 FROM readings r WHERE r.batch = b.number AND r.lane <> " + LANE_PRIORITY + ")"
                     + " FROM batches b WHERE acked_at IS NULL AND dead IS NULL ORDER BY coalesce(ord, number), number")) {
            while (rs.next()) {
                out.add(new SealedBatch(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getLong(4), rs.getBoolean(5)));
            }
        }
        return out;
    }

    long maxBatchNumber() throws SQLException {
        // Parts of a split batch take the place (ord) of the batch they replace, never a later one's.
        return longQuery("SELECT max(coalesce(max(number), 0), coalesce(max(ord), 0)) FROM batches");
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

    /**
     * Hands {@code each} the bodies of the readings received within {@code windowMs} of the newest
     * one, at most {@code max}, oldest first, one at a time: at a busy gateway that is a hundred
     * thousand readings, more than a small heap holds at once. Receive order is id order (up to the
     * few milliseconds offers wait in one group), so a first pass reads ids and times newest first
     * and stops at the first reading older than the window, however large the backlog behind it;
     * the second reads the bodies from the oldest id it found.
     *
     * @return how many bodies were handed over
     */
    int receivedWithin(long windowMs, int max, Consumer<byte[]> each) throws SQLException {
        long from = -1;
        int count = 0;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id, rx FROM readings ORDER BY id DESC")) {
            long cutoff = Long.MIN_VALUE;
            while (count < max && rs.next()) {
                long rx = rs.getLong(2);
                if (cutoff == Long.MIN_VALUE) {
                    cutoff = rx - windowMs;
                } else if (rx < cutoff) {
                    break;
                }
                from = rs.getLong(1);
                count++;
            }
        }
        if (count == 0) {
            return 0;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT body FROM readings WHERE id >= ? ORDER BY id LIMIT ?")) {
            ps.setLong(1, from);
            ps.setInt(2, count);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    each.accept(rs.getBytes(1));
                }
            }
        }
        return count;
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
