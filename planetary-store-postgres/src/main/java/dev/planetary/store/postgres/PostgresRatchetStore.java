package dev.planetary.store.postgres;

import dev.planetary.store.PeerExistsException;
import dev.planetary.store.PeerRatchetStore;
import dev.planetary.store.PeerRecord;
import dev.planetary.store.RatchetStores;
import dev.planetary.store.internal.Pairs;
import dev.planetary.store.internal.Rows;
import dev.planetary.zssp.RatchetPair;
import dev.planetary.zssp.RatchetState;
import dev.planetary.zssp.RatchetUpdate;
import dev.planetary.zssp.StaticPublicKey;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;

/**
 * A ratchet store in PostgreSQL, for several responders (possibly in different JVMs and hosts)
 * that share one static key and must share its ratchet states.
 *
 * <p><b>Compare-and-swap</b> is one conditional statement, so it is atomic under concurrent
 * writers from any number of JVMs without explicit locking: {@code UPDATE … WHERE peer = ? AND}
 * the stored fingerprints and chain lengths equal the expected ones. When the expected pair is the
 * initial {@code (EMPTY, none)}, which is also what "no record" means, the statement is an
 * {@code INSERT … ON CONFLICT (peer) DO UPDATE … WHERE <same condition>}, which settles the race
 * between first writers. PostgreSQL re-checks the condition on the newest row version when a
 * concurrent writer got there first (READ COMMITTED), so exactly one of the competing swaps
 * succeeds. (The fingerprints are compared by the server in ordinary time: they are public values,
 * sent in Hellos; keys are never compared.) Every session sets {@code synchronous_commit = on}, so
 * a swap that returned true is durable in the server's WAL.
 *
 * <p><b>Tables</b> are {@code <prefix>ratchet_peers} and {@code <prefix>schema_version}, with a
 * configurable prefix (default {@value #DEFAULT_TABLE_PREFIX}) so several stores can share a
 * database; pick the schema with the JDBC URL's {@code currentSchema}. Migrations run under a
 * transaction-scoped advisory lock, so responders starting together do not race; a newer schema
 * than {@link #SCHEMA_VERSION} is refused.
 *
 * <p><b>Connections</b>: a small pool (default {@value #DEFAULT_POOL_SIZE}) opened on demand;
 * a connection that fails with a connection-class error is discarded and replaced on next use.
 */
public final class PostgresRatchetStore implements PeerRatchetStore {
    public static final int SCHEMA_VERSION = 1;
    public static final String DEFAULT_TABLE_PREFIX = "planetary_";
    public static final int DEFAULT_POOL_SIZE = 8;
    /** How long a statement waits for a row lock held by another transaction before failing. */
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(5);

    private static final Pattern PREFIX = Pattern.compile("[a-z_][a-z0-9_]{0,39}|");

    private final String url;
    private final String name;
    private final Properties properties;
    private final String prefix;
    private final String table;
    private final long lockTimeoutMillis;
    private final Semaphore permits;
    private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
    private final String sqlLoad;
    private final String sqlFind;
    private final String sqlList;
    private final String sqlSwap;
    private final String sqlSwapFromInitial;
    private final String sqlUpsert;
    private final String sqlInsertNew;
    private final String sqlDelete;
    private final String sqlPrune;
    private volatile boolean encrypted;
    private volatile boolean closed;

    private PostgresRatchetStore(String url, Properties properties, String prefix, int poolSize, Duration lockTimeout) {
        this.url = url;
        this.name = RatchetStores.redactUrl(url) + " (tables " + prefix + "*)";
        this.properties = properties;
        this.prefix = prefix;
        this.table = prefix + "ratchet_peers";
        this.lockTimeoutMillis = Math.max(1, lockTimeout.toMillis());
        this.permits = new Semaphore(poolSize, true);
        String cols = "peer, key1, fp1, chain1, key2, fp2, chain2";
        String set = " key1 = ?, fp1 = ?, chain1 = ?, key2 = ?, fp2 = ?, chain2 = ?, updated_at = now()";
        String expect = "fp1 IS NOT DISTINCT FROM ? AND chain1 = ? AND fp2 IS NOT DISTINCT FROM ? AND chain2 IS NOT DISTINCT FROM ?";
        sqlLoad = "SELECT key1, fp1, chain1, key2, fp2, chain2 FROM " + table + " WHERE peer = ?";
        sqlFind = "(SELECT key1, fp1, chain1 FROM " + table + " WHERE fp1 = ?) UNION ALL (SELECT key2, fp2, chain2 FROM "
                + table + " WHERE fp2 = ?) LIMIT 1";
        sqlList = "SELECT peer, chain1, chain2, updated_at FROM " + table + " ORDER BY peer";
        sqlSwap = "UPDATE " + table + " SET" + set + " WHERE peer = ? AND " + expect;
        sqlSwapFromInitial = "INSERT INTO " + table + " AS t (" + cols + ") VALUES (?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (peer) DO UPDATE SET key1 = excluded.key1, fp1 = excluded.fp1, chain1 = excluded.chain1,"
                + " key2 = excluded.key2, fp2 = excluded.fp2, chain2 = excluded.chain2, updated_at = now()"
                + " WHERE t.fp1 IS NULL AND t.chain1 = 0 AND t.chain2 IS NULL";
        sqlUpsert = "INSERT INTO " + table + " (" + cols + ") VALUES (?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (peer) DO UPDATE SET key1 = excluded.key1, fp1 = excluded.fp1, chain1 = excluded.chain1,"
                + " key2 = excluded.key2, fp2 = excluded.fp2, chain2 = excluded.chain2, updated_at = now()";
        sqlInsertNew = "INSERT INTO " + table + " (" + cols + ") VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (peer) DO NOTHING";
        sqlDelete = "DELETE FROM " + table + " WHERE peer = ?";
        sqlPrune = "DELETE FROM " + table + " WHERE updated_at < ?";
    }

    /** Opens the store at {@code jdbcUrl} (credentials in the URL or PG environment) with the default prefix. */
    public static PostgresRatchetStore open(String jdbcUrl) throws IOException {
        return open(jdbcUrl, new Properties(), DEFAULT_TABLE_PREFIX);
    }

    /** Opens the store with the default pool size and lock timeout. */
    public static PostgresRatchetStore open(String jdbcUrl, Properties connectionProperties, String tablePrefix) throws IOException {
        return open(jdbcUrl, connectionProperties, tablePrefix, DEFAULT_POOL_SIZE, DEFAULT_LOCK_TIMEOUT);
    }

    /**
     * Connects, creates or migrates the tables and returns the store.
     *
     * @param jdbcUrl a {@code jdbc:postgresql:} URL
     * @param connectionProperties driver properties (user, password, ssl…); copied
     * @param tablePrefix lower-case letters, digits and underscores (may be empty), at most 40 characters
     * @param poolSize the most connections this store opens at once
     * @param lockTimeout how long a statement waits for a lock held by another transaction
     */
    public static PostgresRatchetStore open(String jdbcUrl, Properties connectionProperties, String tablePrefix, int poolSize,
            Duration lockTimeout) throws IOException {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(tablePrefix, "tablePrefix");
        Objects.requireNonNull(lockTimeout, "lockTimeout");
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("not a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database): "
                    + RatchetStores.redactUrl(jdbcUrl));
        }
        if (!PREFIX.matcher(tablePrefix).matches()) {
            throw new IllegalArgumentException("table prefix must be lower-case letters, digits and underscores, not starting"
                    + " with a digit, at most 40 characters: '" + tablePrefix + "'");
        }
        if (poolSize < 1) throw new IllegalArgumentException("pool size must be at least 1, got " + poolSize);
        Properties props = new Properties();
        if (connectionProperties != null) props.putAll(connectionProperties);
        PostgresRatchetStore store = new PostgresRatchetStore(jdbcUrl, props, tablePrefix, poolSize, lockTimeout);
        store.migrate();
        store.encrypted = store.withConnection("check the connection's encryption", c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
                return rs.next() && rs.getBoolean(1);
            } catch (SQLException e) {
                return false; // cannot tell: report it as unencrypted
            }
        });
        return store;
    }

    /** The table names' prefix. */
    public String tablePrefix() {
        return prefix;
    }

    @Override
    public RatchetPair load(StaticPublicKey peer) throws IOException {
        Objects.requireNonNull(peer, "peer");
        return withConnection("load the ratchet states of a peer", c -> {
            try (PreparedStatement ps = c.prepareStatement(sqlLoad)) {
                ps.setBytes(1, peer.toBytes());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Rows.readPair(rs, 1) : null;
                }
            }
        });
    }

    @Override
    public RatchetState findByFingerprint(byte[] fingerprint) throws IOException {
        if (!Pairs.indexable(fingerprint)) return null;
        byte[] fp = fingerprint.clone();
        return withConnection("look up a ratchet fingerprint", c -> {
            try (PreparedStatement ps = c.prepareStatement(sqlFind)) {
                ps.setBytes(1, fp);
                ps.setBytes(2, fp);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Rows.readState(rs, 1) : null;
                }
            }
        });
    }

    @Override
    public boolean compareAndSwap(StaticPublicKey peer, RatchetUpdate u) throws IOException {
        Objects.requireNonNull(peer, "peer");
        Pairs.check(u);
        boolean fromInitial = Pairs.same(u.current1(), RatchetState.EMPTY) && u.current2() == null;
        return withConnection("save ratchet states (compare-and-swap)", c -> {
            if (fromInitial) {
                try (PreparedStatement ps = c.prepareStatement(sqlSwapFromInitial)) {
                    ps.setBytes(1, peer.toBytes());
                    Rows.bindPair(ps, 2, u.new1(), u.new2());
                    return ps.executeUpdate() == 1;
                }
            }
            try (PreparedStatement ps = c.prepareStatement(sqlSwap)) {
                Rows.bindPair(ps, 1, u.new1(), u.new2());
                ps.setBytes(7, peer.toBytes());
                Rows.bindBytes(ps, 8, Pairs.fingerprintColumn(u.current1()));
                ps.setLong(9, u.current1().chainLength());
                if (u.current2() == null) {
                    ps.setNull(10, java.sql.Types.BINARY);
                    ps.setNull(11, java.sql.Types.BIGINT);
                } else {
                    Rows.bindBytes(ps, 10, Pairs.fingerprintColumn(u.current2()));
                    ps.setLong(11, u.current2().chainLength());
                }
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public void provision(StaticPublicKey peer, RatchetState initial, boolean force) throws IOException {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(initial, "initial");
        boolean inserted = withConnection("provision the initial ratchet state of a peer", c -> {
            try (PreparedStatement ps = c.prepareStatement(force ? sqlUpsert : sqlInsertNew)) {
                ps.setBytes(1, peer.toBytes());
                Rows.bindPair(ps, 2, initial, null);
                return ps.executeUpdate() == 1;
            }
        });
        if (!inserted) throw new PeerExistsException(name, peer);
    }

    @Override
    public List<PeerRecord> peers() throws IOException {
        return withConnection("list peers", c -> {
            try (PreparedStatement ps = c.prepareStatement(sqlList); ResultSet rs = ps.executeQuery()) {
                List<PeerRecord> out = new ArrayList<>();
                while (rs.next()) {
                    StaticPublicKey peer = StaticPublicKey.fromBytes(rs.getBytes(1));
                    long chain1 = rs.getLong(2);
                    long chain2 = rs.getLong(3);
                    OptionalLong c2 = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(chain2);
                    Timestamp t = rs.getTimestamp(4);
                    out.add(new PeerRecord(peer, chain1, c2, t.toInstant()));
                }
                return out;
            }
        });
    }

    @Override
    public boolean forget(StaticPublicKey peer) throws IOException {
        Objects.requireNonNull(peer, "peer");
        return withConnection("forget a peer", c -> {
            try (PreparedStatement ps = c.prepareStatement(sqlDelete)) {
                ps.setBytes(1, peer.toBytes());
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public int prune(java.time.Instant cutoff) throws IOException {
        Objects.requireNonNull(cutoff, "cutoff");
        return withConnection("prune peers not seen since " + cutoff, c -> {
            try (PreparedStatement ps = c.prepareStatement(sqlPrune)) {
                ps.setTimestamp(1, Timestamp.from(cutoff));
                return ps.executeUpdate();
            }
        });
    }

    /**
     * True if the connection opened by {@link #open} is encrypted (TLS, as the server reports in
     * {@code pg_stat_ssl}). Ratchet keys cross this connection: without TLS anyone on the path
     * reads them. Use {@code sslmode=verify-full} (with {@code sslrootcert=…}) in the URL, which
     * also authenticates the server; {@code sslmode=require} encrypts without checking who answers.
     */
    public boolean encrypted() {
        return encrypted;
    }

    @Override
    public void close() {
        closed = true;
        for (Connection c; (c = idle.poll()) != null; ) closeQuietly(c);
    }

    @Override
    public String toString() {
        return "PostgresRatchetStore[" + name + (closed ? ", closed" : "") + "]";
    }

    // ---------------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException, IOException;
    }

    private <T> T withConnection(String op, Work<T> work) throws IOException {
        if (closed) throw new IOException("ratchet store " + name + " is closed");
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("ratchet store " + name + ": interrupted while waiting for a connection", e);
        }
        Connection c = null;
        boolean broken = false;
        try {
            c = idle.poll();
            if (c == null) c = connect();
            return work.run(c);
        } catch (SQLException e) {
            String state = e.getSQLState();
            broken = state == null || state.startsWith("08") || state.startsWith("57P");
            throw PostgresErrors.postgres(name, op, e);
        } finally {
            if (c != null) {
                if (broken || closed) closeQuietly(c);
                else idle.push(c);
            }
            permits.release();
        }
    }

    private Connection connect() throws SQLException {
        Connection c = new org.postgresql.Driver().connect(url, properties);
        if (c == null) throw new SQLException("the PostgreSQL driver does not accept this URL", "08001");
        try (Statement st = c.createStatement()) {
            // A swap must be durable before it returns, whatever the server's default.
            st.execute("SET synchronous_commit = on");
            st.execute("SET lock_timeout = " + lockTimeoutMillis);
            st.execute("SET application_name = 'planetary-ratchet-store'");
        } catch (SQLException e) {
            closeQuietly(c);
            throw e;
        }
        c.setAutoCommit(true);
        return c;
    }

    private void migrate() throws IOException {
        String versionTable = prefix + "schema_version";
        withConnection("create or upgrade the ratchet tables", c -> {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                // Responders starting together serialize here; the lock ends with the transaction.
                try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
                    lock.setString(1, "planetary-ratchet-schema:" + prefix);
                    lock.execute();
                }
                int version = 0;
                boolean haveVersionTable;
                try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
                    ps.setString(1, versionTable);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        haveVersionTable = rs.getBoolean(1);
                    }
                }
                if (haveVersionTable) {
                    try (ResultSet rs = st.executeQuery("SELECT max(version) FROM " + versionTable)) {
                        if (rs.next()) version = rs.getInt(1);
                    }
                } else {
                    st.execute("CREATE TABLE " + versionTable + " (version integer NOT NULL)");
                    st.execute("INSERT INTO " + versionTable + " VALUES (0)");
                }
                if (version > SCHEMA_VERSION) {
                    throw new IOException("ratchet store " + name + ": the tables have schema version " + version
                            + ", newer than this Planetary supports (" + SCHEMA_VERSION + "); upgrade Planetary"
                            + " (refusing to use them rather than risk losing ratchet states)");
                }
                List<List<String>> steps = migrations();
                for (int v = version; v < SCHEMA_VERSION; v++) {
                    for (String sql : steps.get(v)) st.execute(sql);
                }
                if (version < SCHEMA_VERSION) st.execute("UPDATE " + versionTable + " SET version = " + SCHEMA_VERSION);
                c.commit();
                return null;
            } catch (SQLException | IOException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is gone; the server rolls back
                }
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        });
    }

    /** Step {@code i} brings the schema from version {@code i} to {@code i + 1}. */
    private List<List<String>> migrations() {
        return List.of(List.of(
                "CREATE TABLE " + table + " ("
                        + " peer bytea PRIMARY KEY CHECK (octet_length(peer) = 49),"
                        + " key1 bytea NOT NULL, fp1 bytea, chain1 bigint NOT NULL,"
                        + " key2 bytea, fp2 bytea, chain2 bigint,"
                        + " updated_at timestamptz NOT NULL DEFAULT now())",
                "CREATE INDEX " + table + "_fp1 ON " + table + " (fp1) WHERE fp1 IS NOT NULL",
                "CREATE INDEX " + table + "_fp2 ON " + table + " (fp2) WHERE fp2 IS NOT NULL"));
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing a broken connection
        }
    }
}
