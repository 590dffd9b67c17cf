package dev.planetary.store.sqlite;

import dev.planetary.store.PeerExistsException;
import dev.planetary.store.PeerRatchetStore;
import dev.planetary.store.PeerRecord;
import dev.planetary.store.internal.Pairs;
import dev.planetary.store.internal.Rows;
import dev.planetary.zssp.RatchetPair;
import dev.planetary.zssp.RatchetState;
import dev.planetary.zssp.RatchetUpdate;
import dev.planetary.zssp.StaticPublicKey;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;

/**
 * The embedded default ratchet store: one SQLite database file (xerial sqlite-jdbc).
 *
 * <p><b>Durability.</b> The database runs in WAL mode with {@code synchronous=FULL}: every commit
 * fsyncs the write-ahead log before {@link #compareAndSwap} returns, so a swap that returned true
 * survives a crash or power loss. A compare-and-swap is one {@code BEGIN IMMEDIATE} transaction that
 * reads the stored pair, compares fingerprint and chain length of both states (§8.1, in constant
 * time) and writes the new pair.
 *
 * <p><b>Concurrency.</b> All writes go through one connection under a lock; reads (load, fingerprint
 * lookups, listing) use a small pool of separate read connections, which WAL lets run alongside a
 * write. Compare-and-swaps use group commit: callers queue their swap, and whichever caller holds
 * the lock runs all queued swaps (up to 64) in queue order inside one {@code BEGIN IMMEDIATE}
 * transaction with one fsync; every caller returns only after that commit, with its own result
 * (a later swap of the same peer in the batch sees the earlier one's effect, so the outcome is
 * the same as running them one by one). If the transaction fails, nothing of it is committed and
 * every swap in it fails with the {@link IOException}. SQLite admits one writer at a time anyway;
 * a connection per thread, contending in SQLite's sleeping busy handler, measured slower and
 * starved some writers past the busy timeout (see the module README and
 * {@code StoreThroughputTest}). Other processes may open the same file; they then contend through
 * SQLite's file locks, waiting up to the busy timeout.
 *
 * <p><b>Files.</b> A new database file is created with owner-only permissions (0600; SQLite gives
 * its {@code -wal} and {@code -shm} files the same), and directories this class creates get 0700.
 * Before opening, symbolic links at the directory or the files are refused, as are a directory or
 * file owned by another user, a directory writable by group or others and a file accessible by
 * group or others ({@link FileChecks}).
 * A file that is not writable by this process, or whose owner-write permission bit is clear
 * (so a {@code chmod 0400} is honoured even when running as root), is opened read-only: loads work
 * and every write fails with an {@link IOException} saying the database is read-only.
 *
 * <p><b>Schema.</b> The version is {@code PRAGMA user_version} (and {@code PRAGMA application_id}
 * marks the file as Planetary's); migration steps are applied in order, each step set in one
 * transaction. A file with a newer schema than {@link #SCHEMA_VERSION} is refused with a clear
 * error, as is an SQLite database that belongs to another application.
 */
public final class SqliteRatchetStore implements PeerRatchetStore {
    /** The schema version this code writes and understands. */
    public static final int SCHEMA_VERSION = 1;
    /** How long a write waits for another connection's lock before failing. */
    public static final Duration DEFAULT_BUSY_TIMEOUT = Duration.ofSeconds(5);
    /** {@code PRAGMA application_id}: "PLNT". */
    static final int APPLICATION_ID = 0x504c4e54;
    static final String TABLE = "ratchet_peers";
    private static final int READERS = 3;
    /** The most swaps committed together in one transaction (group commit). */
    private static final int MAX_BATCH = 64;

    /** Migration steps: element {@code i} brings the schema from version {@code i} to {@code i + 1}. */
    static final List<List<String>> MIGRATIONS = List.of(
            List.of("""
                    CREATE TABLE ratchet_peers (
                      peer       BLOB    NOT NULL PRIMARY KEY,
                      key1       BLOB    NOT NULL,
                      fp1        BLOB,
                      chain1     INTEGER NOT NULL,
                      key2       BLOB,
                      fp2        BLOB,
                      chain2     INTEGER,
                      updated_at INTEGER NOT NULL
                    ) WITHOUT ROWID""",
                    "CREATE INDEX ratchet_peers_fp1 ON ratchet_peers(fp1) WHERE fp1 IS NOT NULL",
                    "CREATE INDEX ratchet_peers_fp2 ON ratchet_peers(fp2) WHERE fp2 IS NOT NULL"));

    static final String SQL_LOAD = "SELECT key1, fp1, chain1, key2, fp2, chain2 FROM ratchet_peers WHERE peer = ?";
    /** Goes through the two partial fingerprint indexes (checked by a test with EXPLAIN QUERY PLAN). */
    static final String SQL_FIND = "SELECT key1, fp1, chain1 FROM ratchet_peers WHERE fp1 = ?1"
            + " UNION ALL SELECT key2, fp2, chain2 FROM ratchet_peers WHERE fp2 = ?1 LIMIT 1";
    private static final String SQL_LIST = "SELECT peer, chain1, chain2, updated_at FROM ratchet_peers ORDER BY peer";
    private static final String SQL_UPSERT = "INSERT INTO ratchet_peers(peer, key1, fp1, chain1, key2, fp2, chain2, updated_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(peer) DO UPDATE SET key1 = excluded.key1, fp1 = excluded.fp1,"
            + " chain1 = excluded.chain1, key2 = excluded.key2, fp2 = excluded.fp2, chain2 = excluded.chain2,"
            + " updated_at = excluded.updated_at";
    private static final String SQL_INSERT_NEW = "INSERT INTO ratchet_peers(peer, key1, fp1, chain1, key2, fp2, chain2, updated_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(peer) DO NOTHING";
    private static final String SQL_DELETE = "DELETE FROM ratchet_peers WHERE peer = ?";
    private static final String SQL_PRUNE = "DELETE FROM ratchet_peers WHERE updated_at < ?";

    private final Path file;
    private final String name;
    private final long busyTimeoutMillis;
    private final boolean readOnly;
    private final Clock clock;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Connection writer; // guarded by writeLock
    private final BlockingQueue<Connection> readers;
    private final ConcurrentLinkedQueue<PendingSwap> pending = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    private SqliteRatchetStore(Path file, long busyTimeoutMillis, boolean readOnly, Clock clock, Connection writer,
            List<Connection> readers) {
        this.file = file;
        this.name = file.toString();
        this.busyTimeoutMillis = busyTimeoutMillis;
        this.readOnly = readOnly;
        this.clock = clock;
        this.writer = writer;
        this.readers = new ArrayBlockingQueue<>(readers.size(), false, readers);
    }

    /** Opens (creating if needed) the database file with the {@link #DEFAULT_BUSY_TIMEOUT}. */
    public static SqliteRatchetStore open(Path file) throws IOException {
        return open(file, DEFAULT_BUSY_TIMEOUT);
    }

    /**
     * Opens (creating if needed, with its missing directories) the database file, applies pending
     * schema migrations and checks the file's integrity ({@code PRAGMA quick_check}).
     *
     * @param busyTimeout how long a statement waits for another connection's lock before failing
     * @throws IOException naming the file and the cause if it cannot be created, opened, migrated,
     *     is corrupt, belongs to another application or has a newer schema
     */
    public static SqliteRatchetStore open(Path file, Duration busyTimeout) throws IOException {
        return open(file, busyTimeout, Clock.systemUTC());
    }

    static SqliteRatchetStore open(Path file, Duration busyTimeout, Clock clock) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(busyTimeout, "busyTimeout");
        Path f = file.toAbsolutePath().normalize();
        long busyMs = Math.max(0, Math.min(Integer.MAX_VALUE, busyTimeout.toMillis()));
        createPrivately(f);
        boolean readOnly = !writable(f);
        List<Connection> opened = new ArrayList<>();
        try {
            Connection writer = connect(f, busyMs, readOnly);
            opened.add(writer);
            try (Statement st = writer.createStatement()) {
                if (!readOnly) {
                    String mode = single(st, "PRAGMA journal_mode=WAL");
                    if (!"wal".equalsIgnoreCase(mode)) {
                        throw new IOException("ratchet store " + f + ": cannot enable WAL mode (journal mode stays " + mode + ")");
                    }
                }
                String check = single(st, "PRAGMA quick_check");
                if (!"ok".equalsIgnoreCase(check)) {
                    throw new IOException("ratchet store " + f + ": the file is corrupt (integrity check: " + check + ")");
                }
            }
            migrate(f, writer, readOnly, busyMs);
            List<Connection> readers = new ArrayList<>();
            for (int i = 0; i < READERS; i++) {
                Connection r = connect(f, busyMs, true);
                opened.add(r);
                readers.add(r);
            }
            return new SqliteRatchetStore(f, busyMs, readOnly, clock, writer, readers);
        } catch (SQLException e) {
            closeAll(opened);
            throw SqliteErrors.sqlite(f.toString(), "open the database", e, busyMs);
        } catch (IOException | RuntimeException e) {
            closeAll(opened);
            throw e;
        }
    }

    /** The database file (absolute). */
    public Path file() {
        return file;
    }

    /** True if the file was opened read-only (not writable, or its owner-write bit is clear): every write fails. */
    public boolean isReadOnly() {
        return readOnly;
    }

    @Override
    public RatchetPair load(StaticPublicKey peer) throws IOException {
        Objects.requireNonNull(peer, "peer");
        Connection c = borrowReader();
        try (PreparedStatement ps = c.prepareStatement(SQL_LOAD)) {
            ps.setBytes(1, peer.toBytes());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Rows.readPair(rs, 1) : null;
            }
        } catch (SQLException e) {
            throw SqliteErrors.sqlite(name, "load the ratchet states of a peer", e, busyTimeoutMillis);
        } finally {
            readers.add(c);
        }
    }

    @Override
    public RatchetState findByFingerprint(byte[] fingerprint) throws IOException {
        if (!Pairs.indexable(fingerprint)) return null;
        Connection c = borrowReader();
        try (PreparedStatement ps = c.prepareStatement(SQL_FIND)) {
            ps.setBytes(1, fingerprint);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Rows.readState(rs, 1) : null;
            }
        } catch (SQLException e) {
            throw SqliteErrors.sqlite(name, "look up a ratchet fingerprint", e, busyTimeoutMillis);
        } finally {
            readers.add(c);
        }
    }

    @Override
    public boolean compareAndSwap(StaticPublicKey peer, RatchetUpdate u) throws IOException {
        Objects.requireNonNull(peer, "peer");
        Pairs.check(u);
        PendingSwap mine = new PendingSwap(peer.toBytes(), u);
        pending.add(mine);
        writeLock.lock();
        try {
            // Group commit: whoever holds the lock runs every queued swap in one transaction, so
            // concurrent sessions share one fsync. Our own swap may already be done by the
            // previous holder; otherwise we run batches until it is (the queue may exceed a batch).
            while (!mine.done) runBatch();
        } finally {
            writeLock.unlock();
        }
        if (mine.error != null) {
            IOException e = mine.error;
            throw new IOException(e.getMessage(), e); // a fresh stack trace for this caller
        }
        return mine.result;
    }

    /** One queued swap; fields are written by the batch runner under {@link #writeLock} and read after taking it. */
    private static final class PendingSwap {
        final byte[] peer;
        final RatchetUpdate update;
        boolean done;
        boolean result;
        IOException error;

        PendingSwap(byte[] peer, RatchetUpdate update) {
            this.peer = peer;
            this.update = update;
        }
    }

    private void runBatch() {
        String op = "save ratchet states (compare-and-swap)";
        List<PendingSwap> batch = new ArrayList<>();
        for (PendingSwap p; batch.size() < MAX_BATCH && (p = pending.poll()) != null; ) batch.add(p);
        try {
            checkWritable(op);
            try (Statement st = writer.createStatement()) {
                st.execute("BEGIN IMMEDIATE");
                boolean committed = false;
                try (PreparedStatement load = writer.prepareStatement(SQL_LOAD); PreparedStatement upsert = writer.prepareStatement(SQL_UPSERT)) {
                    // In queue order; a later swap of the same peer sees the earlier one's result.
                    for (PendingSwap p : batch) {
                        load.setBytes(1, p.peer);
                        RatchetPair stored;
                        try (ResultSet rs = load.executeQuery()) {
                            stored = rs.next() ? Rows.readPair(rs, 1) : null;
                        }
                        p.result = Pairs.matches(stored, p.update);
                        if (p.result) {
                            bindRow(upsert, p.peer, p.update.new1(), p.update.new2());
                            upsert.executeUpdate();
                        }
                    }
                    st.execute("COMMIT");
                    committed = true;
                } finally {
                    if (!committed) rollbackQuietly(st);
                }
            } catch (SQLException e) {
                throw SqliteErrors.sqlite(name, op, e, busyTimeoutMillis);
            }
        } catch (IOException e) {
            // Nothing of the batch was committed: every swap in it fails with the cause.
            for (PendingSwap p : batch) {
                p.result = false;
                p.error = e;
            }
        }
        for (PendingSwap p : batch) p.done = true;
    }

    @Override
    public void provision(StaticPublicKey peer, RatchetState initial, boolean force) throws IOException {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(initial, "initial");
        String op = "provision the initial ratchet state of a peer";
        writeLock.lock();
        try {
            checkWritable(op);
            try (PreparedStatement ps = writer.prepareStatement(force ? SQL_UPSERT : SQL_INSERT_NEW)) {
                bindRow(ps, peer.toBytes(), initial, null);
                if (ps.executeUpdate() == 0) throw new PeerExistsException(name, peer);
            }
        } catch (SQLException e) {
            throw SqliteErrors.sqlite(name, op, e, busyTimeoutMillis);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public List<PeerRecord> peers() throws IOException {
        Connection c = borrowReader();
        try (PreparedStatement ps = c.prepareStatement(SQL_LIST); ResultSet rs = ps.executeQuery()) {
            List<PeerRecord> out = new ArrayList<>();
            while (rs.next()) {
                StaticPublicKey peer = StaticPublicKey.fromBytes(rs.getBytes(1));
                long chain1 = rs.getLong(2);
                long chain2 = rs.getLong(3);
                OptionalLong c2 = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(chain2);
                out.add(new PeerRecord(peer, chain1, c2, Instant.ofEpochMilli(rs.getLong(4))));
            }
            return out;
        } catch (SQLException e) {
            throw SqliteErrors.sqlite(name, "list peers", e, busyTimeoutMillis);
        } finally {
            readers.add(c);
        }
    }

    @Override
    public boolean forget(StaticPublicKey peer) throws IOException {
        Objects.requireNonNull(peer, "peer");
        String op = "forget a peer";
        writeLock.lock();
        try {
            checkWritable(op);
            try (PreparedStatement ps = writer.prepareStatement(SQL_DELETE)) {
                ps.setBytes(1, peer.toBytes());
                return ps.executeUpdate() > 0;
            }
        } catch (SQLException e) {
            throw SqliteErrors.sqlite(name, op, e, busyTimeoutMillis);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public int prune(Instant cutoff) throws IOException {
        Objects.requireNonNull(cutoff, "cutoff");
        String op = "prune peers not seen since " + cutoff;
        writeLock.lock();
        try {
            checkWritable(op);
            try (PreparedStatement ps = writer.prepareStatement(SQL_PRUNE)) {
                ps.setLong(1, cutoff.toEpochMilli());
                return ps.executeUpdate();
            }
        } catch (SQLException e) {
            throw SqliteErrors.sqlite(name, op, e, busyTimeoutMillis);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        List<Connection> all = new ArrayList<>();
        writeLock.lock();
        try {
            for (int i = 0; i < READERS; i++) {
                Connection r = readers.poll(busyTimeoutMillis + 1000, TimeUnit.MILLISECONDS);
                if (r != null) all.add(r);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            // The writer closes last: the last connection to close checkpoints the WAL into the
            // database file and removes it, which a read-only connection cannot do.
            all.add(writer);
            writeLock.unlock();
        }
        SQLException failure = closeAll(all);
        if (failure != null) throw SqliteErrors.sqlite(name, "close the database", failure, busyTimeoutMillis);
    }

    @Override
    public String toString() {
        return "SqliteRatchetStore[" + file + (readOnly ? ", read-only" : "") + (closed ? ", closed" : "") + "]";
    }

    // ---------------------------------------------------------------------------------------------

    private void bindRow(PreparedStatement ps, byte[] peer, RatchetState s1, RatchetState s2) throws SQLException {
        ps.setBytes(1, peer);
        Rows.bindPair(ps, 2, s1, s2);
        ps.setLong(8, clock.millis());
    }

    private void checkWritable(String op) throws IOException {
        if (closed) throw new IOException("ratchet store " + name + " is closed");
        if (readOnly) {
            throw new IOException("ratchet store " + name + ": cannot " + op + ": the database is read-only (the file is not"
                    + " writable, or its owner-write permission is clear); fix its permissions and reopen the store");
        }
    }

    private Connection borrowReader() throws IOException {
        if (closed) throw new IOException("ratchet store " + name + " is closed");
        try {
            Connection c = readers.take();
            if (closed) {
                readers.add(c);
                throw new IOException("ratchet store " + name + " is closed");
            }
            return c;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("ratchet store " + name + ": interrupted while waiting for a connection", e);
        }
    }

    private static void rollbackQuietly(Statement st) {
        try {
            st.execute("ROLLBACK");
        } catch (SQLException ignored) {
            // no transaction was open (BEGIN failed), or SQLite already rolled it back
        }
    }

    private static Connection connect(Path f, long busyMs, boolean readOnly) throws SQLException {
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setBusyTimeout((int) busyMs);
        cfg.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        cfg.setReadOnly(readOnly);
        return cfg.createConnection("jdbc:sqlite:" + f);
    }

    private static String single(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static void migrate(Path f, Connection c, boolean readOnly, long busyMs) throws SQLException, IOException {
        try (Statement st = c.createStatement()) {
            if (!readOnly) st.execute("BEGIN IMMEDIATE");
            boolean done = false;
            try {
                int version = Integer.parseInt(single(st, "PRAGMA user_version"));
                int appId = Integer.parseInt(single(st, "PRAGMA application_id"));
                if (appId != 0 && appId != APPLICATION_ID) {
                    throw new IOException("ratchet store " + f + ": this SQLite database belongs to another application"
                            + " (application_id " + Integer.toHexString(appId) + "), not a Planetary ratchet store");
                }
                if (version > SCHEMA_VERSION) {
                    throw new IOException("ratchet store " + f + ": the database has schema version " + version
                            + ", newer than this Planetary supports (" + SCHEMA_VERSION + "); it was written by a newer"
                            + " Planetary: upgrade Planetary (refusing to open it rather than risk losing ratchet states)");
                }
                if (version == 0 && appId == 0) {
                    String other = single(st, "SELECT name FROM sqlite_master WHERE type = 'table' LIMIT 1");
                    if (other != null) {
                        throw new IOException("ratchet store " + f + ": this SQLite database is not a Planetary ratchet"
                                + " store (it has a table '" + other + "' but no Planetary schema version)");
                    }
                }
                if (version < SCHEMA_VERSION) {
                    if (readOnly) {
                        throw new IOException("ratchet store " + f + ": the database is read-only but needs its schema"
                                + " upgraded from version " + version + " to " + SCHEMA_VERSION);
                    }
                    for (int v = version; v < SCHEMA_VERSION; v++) {
                        for (String sql : MIGRATIONS.get(v)) st.execute(sql);
                    }
                    st.execute("PRAGMA application_id = " + APPLICATION_ID);
                    st.execute("PRAGMA user_version = " + SCHEMA_VERSION);
                }
                if (!readOnly) st.execute("COMMIT");
                done = true;
            } finally {
                if (!done && !readOnly) rollbackQuietly(st);
            }
        }
    }

    private static SQLException closeAll(List<Connection> connections) {
        SQLException first = null;
        for (Connection c : connections) {
            try {
                c.close();
            } catch (SQLException e) {
                if (first == null) first = e;
            }
        }
        return first;
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    /** Creates missing directories with 0700 and a missing file with 0600 (on POSIX file systems). */
    static void createPrivately(Path f) throws IOException {
        Path dir = f.getParent();
        boolean posix = posix();
        try {
            Deque<Path> missing = new ArrayDeque<>();
            for (Path d = dir; d != null && !Files.exists(d); d = d.getParent()) missing.push(d);
            for (Path d : missing) {
                try {
                    if (posix) {
                        Files.createDirectory(d, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
                    } else {
                        Files.createDirectory(d);
                    }
                } catch (FileAlreadyExistsException raced) {
                    // created concurrently: not ours, leave its permissions alone
                }
            }
            FileChecks.checkDirectory(dir, f);
            if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    if (posix) {
                        Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
                    } else {
                        Files.createFile(f);
                    }
                } catch (FileAlreadyExistsException raced) {
                    // created concurrently
                }
            }
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("ratchet store ")) throw e; // a FileChecks refusal
            throw new IOException("ratchet store " + f + ": cannot create the database file or its directory: " + e, e);
        }
        if (Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS)) throw new IOException("ratchet store " + f + ": is a directory, not a database file");
        FileChecks.checkFile(f);
    }

    private static boolean writable(Path f) throws IOException {
        if (!Files.isWritable(f)) return false;
        if (posix()) {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(f);
            return p.contains(PosixFilePermission.OWNER_WRITE);
        }
        return true;
    }
}
