package dev.planetary.controller;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.planetary.identity.Address;
import dev.planetary.identity.Fingerprint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * {@link ControllerStore} over JDBC: the same schema and statements on SQLite (embedded default,
 * {@code controller.db} in the home, mode 0600, WAL, {@code synchronous=FULL}) and PostgreSQL
 * (clusters, VL.md §14.2); only the binary column type differs. One connection, serialised by a lock.
 *
 * <p>Tables (each name after an optional prefix, so that tests and several controllers can share
 * a PostgreSQL database): {@code network}, {@code member} (keyed by network and address, with the
 * bound fingerprint), {@code join_token}, {@code revocation}, {@code issuance_clock},
 * {@code schema_version}. A member's IP assignments and a network's pools and routes live in their
 * JSON settings columns.
 */
public final class JdbcControllerStore implements ControllerStore {
    public static final String SQLITE_FILE = "controller.db";
    /** 2: network rules and capabilities are compiled (VL.md §11.8); see {@code migrateTo2}. */
    public static final int SCHEMA_VERSION = 2;

    private final Connection c;
    private final String p;
    private final ReentrantLock lock = new ReentrantLock();
    private int depth;
    /** Compiled network settings by network id, least recently read evicted first (bounded). */
    private final LinkedHashMap<Long, CompiledSettings> compiled = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, CompiledSettings> eldest) {
            return size() > ControllerLimits.SETTINGS_CACHE_NETWORKS;
        }
    };
    private long compilations;

    private JdbcControllerStore(Connection c, String prefix, String blob) throws SQLException {
        this.c = c;
        this.p = prefix;
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + p + "schema_version (version INTEGER NOT NULL)");
            st.execute("CREATE TABLE IF NOT EXISTS " + p + "network (id BIGINT PRIMARY KEY, revision BIGINT NOT NULL,"
                    + " creation_time BIGINT NOT NULL, settings TEXT NOT NULL)");
            st.execute("CREATE TABLE IF NOT EXISTS " + p + "member (network BIGINT NOT NULL, address BIGINT NOT NULL, fingerprint " + blob + ","
                    + " identity TEXT, authorized INTEGER NOT NULL, revision BIGINT NOT NULL, creation_time BIGINT NOT NULL,"
                    + " last_request BIGINT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (network, address))");
            st.execute("CREATE INDEX IF NOT EXISTS " + p + "member_pending ON " + p + "member (network, authorized, creation_time)");
            st.execute("CREATE TABLE IF NOT EXISTS " + p + "join_token (network BIGINT NOT NULL, id TEXT NOT NULL, hash " + blob + " NOT NULL,"
                    + " created BIGINT NOT NULL, expires BIGINT NOT NULL, uses INTEGER NOT NULL, uses_left INTEGER NOT NULL,"
                    + " tags TEXT NOT NULL, PRIMARY KEY (network, id))");
            st.execute("CREATE TABLE IF NOT EXISTS " + p + "revocation (network BIGINT PRIMARY KEY, revision BIGINT NOT NULL,"
                    + " floor BIGINT NOT NULL, ts BIGINT NOT NULL, entries TEXT NOT NULL, largest_max_delta BIGINT NOT NULL,"
                    + " pso " + blob + ", digest " + blob + ")");
            st.execute("CREATE TABLE IF NOT EXISTS " + p + "issuance_clock (id INTEGER PRIMARY KEY, ceiling BIGINT NOT NULL)");
            int version;
            try (ResultSet rs = st.executeQuery("SELECT version FROM " + p + "schema_version")) {
                version = rs.next() ? rs.getInt(1) : 0;
            }
            if (version == 0) st.execute("INSERT INTO " + p + "schema_version VALUES (" + SCHEMA_VERSION + ")");
            else if (version > SCHEMA_VERSION) {
                throw new SQLException("the controller database has schema version " + version + "; this build knows " + SCHEMA_VERSION);
            } else if (version == 1) {
                migrateTo2();
            }
        }
    }

    /**
     * Version 1 stored a network's {@code rules} and {@code capabilities} as sent, unchecked and not
     * enforced (every member got "accept everything"). Version 2 compiles them, so each network row
     * keeps that behaviour: empty or absent rules become one ACCEPT (ZeroTier's default), and rules or
     * capabilities that do not compile are replaced by ACCEPT / none and kept, as sent, under
     * {@code rulesNotCompiled} / {@code capabilitiesNotCompiled} for the operator to fix.
     */
    private void migrateTo2() throws SQLException {
        c.setAutoCommit(false);
        try {
            List<Object[]> rows = query("SELECT id, settings FROM " + p + "network", rs -> new Object[] {rs.getLong(1), rs.getString(2)});
            for (Object[] row : rows) {
                ObjectNode o = ControllerJson.read((String) row[1]);
                com.fasterxml.jackson.databind.JsonNode rules = o.get("rules");
                if (rules == null || (rules.isArray() && rules.isEmpty())) o.set("rules", RuleCompiler.toJson(RuleCompiler.ACCEPT));
                setAsideIfInvalid(o, "rules", "rulesNotCompiled", RuleCompiler.toJson(RuleCompiler.ACCEPT));
                setAsideIfInvalid(o, "capabilities", "capabilitiesNotCompiled", ControllerJson.MAPPER.createArrayNode());
                update("UPDATE " + p + "network SET settings = ? WHERE id = ?",
                        ControllerJson.write(ControllerJson.settings(ControllerJson.applyNetwork(NetworkSettings.defaults(), o))), row[0]);
            }
            update("UPDATE " + p + "schema_version SET version = 2");
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private static void setAsideIfInvalid(ObjectNode o, String field, String aside, com.fasterxml.jackson.databind.JsonNode replacement) {
        if (!o.has(field)) return;
        try {
            ControllerJson.applyNetwork(NetworkSettings.defaults(), ControllerJson.MAPPER.createObjectNode().set(field, o.get(field)));
        } catch (FieldException e) {
            o.set(aside, o.get(field));
            o.set(field, replacement);
        }
    }

    /** Opens (creating, mode 0600) {@code home/controller.db}. */
    public static JdbcControllerStore openSqlite(Path home) throws IOException {
        Path file = home.resolve(SQLITE_FILE);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        try {
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
            try (Statement st = c.createStatement()) {
                st.execute("PRAGMA journal_mode=WAL");
                st.execute("PRAGMA synchronous=FULL");
                st.execute("PRAGMA busy_timeout=5000");
            }
            return new JdbcControllerStore(c, "", "BLOB");
        } catch (SQLException e) {
            throw new IOException("cannot open the controller database " + file + ": " + e.getMessage(), e);
        }
    }

    /** Opens the PostgreSQL database at {@code url}; {@code prefix} (letters, digits, _) starts every table name. */
    public static JdbcControllerStore openPostgres(String url, Properties props, String prefix) throws IOException {
        if (!prefix.matches("[A-Za-z0-9_]{0,32}")) throw new IllegalArgumentException("a table prefix is 0..32 letters, digits or _");
        if (!url.startsWith("jdbc:postgresql:")) throw new IllegalArgumentException("a PostgreSQL JDBC URL starts with jdbc:postgresql:");
        try {
            return new JdbcControllerStore(DriverManager.getConnection(url, props), prefix, "BYTEA");
        } catch (SQLException e) {
            throw new IOException("cannot open the controller's PostgreSQL database: " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface Sql<T> {
        T run() throws SQLException;
    }

    private <T> T locked(String what, Sql<T> work) {
        lock.lock();
        try {
            return work.run();
        } catch (SQLException e) {
            throw new StoreException("controller store: " + what + " failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public <T> T transaction(Supplier<T> work) {
        lock.lock();
        try {
            if (depth++ > 0) return work.get();
            c.setAutoCommit(false);
            boolean ok = false;
            try {
                T t = work.get();
                c.commit();
                ok = true;
                return t;
            } finally {
                if (!ok) c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("controller store: transaction failed: " + e.getMessage(), e);
        } finally {
            depth--;
            lock.unlock();
        }
    }

    private int update(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
            return ps.executeUpdate();
        }
    }

    private <T> List<T> query(String sql, Row<T> row, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
            List<T> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(row.read(rs));
            }
            return out;
        }
    }

    @FunctionalInterface
    private interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    // ---- networks

    @Override
    public List<Long> networkIds() {
        return locked("list networks", () -> query("SELECT id FROM " + p + "network ORDER BY id", rs -> rs.getLong(1)));
    }

    @Override
    public Optional<Network> network(long nwid) {
        return locked("read network", () -> query("SELECT revision, creation_time, settings FROM " + p + "network WHERE id = ?",
                rs -> new Network(nwid, rs.getLong(1), rs.getLong(2), settings(nwid, rs.getLong(1), rs.getString(3))), nwid)
                .stream().findFirst());
    }

    /**
     * The settings of a network row: decoded and compiled (rules, capabilities: §11.8) once per
     * (revision, stored text) and reused while the row is unchanged, so config answers and GATHERs
     * never recompile. Keyed by the text itself, a change by any writer (another controller of a
     * cluster included) is seen at the next read. Under {@link #lock}.
     */
    private NetworkSettings settings(long nwid, long revision, String stored) {
        CompiledSettings hit = compiled.get(nwid);
        if (hit == null || hit.revision != revision || !hit.stored.equals(stored)) {
            hit = new CompiledSettings(revision, stored, ControllerJson.applyNetwork(NetworkSettings.defaults(), ControllerJson.read(stored)));
            compiled.put(nwid, hit);
            compilations++;
        }
        return hit.settings.copy();
    }

    private record CompiledSettings(long revision, String stored, NetworkSettings settings) {}

    /** Settings decoded and compiled by {@link #settings} since this store was opened (tests: the cache's witness). */
    long settingsCompilations() {
        lock.lock();
        try {
            return compilations;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void putNetwork(Network n) {
        locked("write network", () -> update("INSERT INTO " + p + "network (id, revision, creation_time, settings) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, settings = excluded.settings",
                n.id(), n.revision(), n.creationTime(), ControllerJson.write(ControllerJson.settings(n.settings()))));
    }

    @Override
    public void deleteNetwork(long nwid) {
        transaction(() -> locked("delete network", () -> {
            for (String t : List.of("member", "join_token", "revocation")) update("DELETE FROM " + p + t + " WHERE network = ?", nwid);
            compiled.remove(nwid);
            return update("DELETE FROM " + p + "network WHERE id = ?", nwid);
        }));
    }

    // ---- members

    private static final String MEMBER_COLUMNS = "network, address, fingerprint, identity, authorized, revision, creation_time, last_request, data";

    private static Member member(ResultSet rs) throws SQLException {
        byte[] fp = rs.getBytes(3);
        Member base = new Member(rs.getLong(1), new Address(rs.getLong(2)), fp == null ? null : Fingerprint.of(fp), rs.getString(4),
                rs.getInt(5) != 0, rs.getLong(6), rs.getLong(7), 0, 0, rs.getLong(8), List.of(), false, new TreeMap<>(),
                new java.util.TreeSet<>(), false, false, 0, ControllerJson.MAPPER.createObjectNode());
        Member.Builder b = base.edit();
        ControllerJson.restoreMember(b, ControllerJson.read(rs.getString(9)));
        return b.build();
    }

    @Override
    public Optional<Member> member(long nwid, Address address) {
        return locked("read member", () -> query("SELECT " + MEMBER_COLUMNS + " FROM " + p + "member WHERE network = ? AND address = ?",
                JdbcControllerStore::member, nwid, address.value()).stream().findFirst());
    }

    @Override
    public List<Member> members(long nwid) {
        return locked("list members", () -> query("SELECT " + MEMBER_COLUMNS + " FROM " + p + "member WHERE network = ? ORDER BY address",
                JdbcControllerStore::member, nwid));
    }

    @Override
    public void putMember(Member m) {
        ObjectNode data = ControllerJson.memberData(m);
        locked("write member", () -> update("INSERT INTO " + p + "member (" + MEMBER_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (network, address) DO UPDATE SET fingerprint = excluded.fingerprint, identity = excluded.identity,"
                + " authorized = excluded.authorized, revision = excluded.revision, last_request = excluded.last_request, data = excluded.data",
                m.networkId(), m.address().value(), m.fingerprint() == null ? null : m.fingerprint().toBytes(), m.identity(),
                m.authorized() ? 1 : 0, m.revision(), m.creationTime(), m.lastRequestTime(), ControllerJson.write(data)));
    }

    @Override
    public void deleteMember(long nwid, Address address) {
        locked("delete member", () -> update("DELETE FROM " + p + "member WHERE network = ? AND address = ?", nwid, address.value()));
    }

    @Override
    public int unauthorizedCount(long nwid) {
        return locked("count members", () -> query("SELECT count(*) FROM " + p + "member WHERE network = ? AND authorized = 0",
                rs -> rs.getInt(1), nwid).get(0));
    }

    @Override
    public Optional<Member> oldestUnauthorized(long nwid) {
        return locked("read member", () -> query("SELECT " + MEMBER_COLUMNS + " FROM " + p + "member WHERE network = ? AND authorized = 0"
                + " ORDER BY creation_time, address LIMIT 1", JdbcControllerStore::member, nwid).stream().findFirst());
    }

    @Override
    public int deleteUnauthorizedBefore(long before) {
        return locked("expire members", () -> update("DELETE FROM " + p + "member WHERE authorized = 0 AND"
                + " (CASE WHEN last_request > 0 THEN last_request ELSE creation_time END) < ?", before));
    }

    // ---- tokens

    @Override
    public List<JoinToken> tokens(long nwid) {
        return locked("list tokens", () -> query("SELECT id, hash, created, expires, uses, uses_left, tags FROM " + p + "join_token"
                + " WHERE network = ? ORDER BY created, id", rs -> new JoinToken(nwid, rs.getString(1), rs.getBytes(2), rs.getLong(3),
                        rs.getLong(4), rs.getInt(5), rs.getInt(6), tags(rs.getString(7))), nwid));
    }

    private static SortedMap<Long, Long> tags(String json) {
        try {
            return ControllerJson.tagValues((com.fasterxml.jackson.databind.node.ArrayNode) ControllerJson.MAPPER.readTree(json), "tags");
        } catch (java.io.IOException | ClassCastException e) {
            throw new IllegalStateException("stored token tags are corrupt", e);
        }
    }

    private static String tagsJson(SortedMap<Long, Long> tags) {
        var a = ControllerJson.MAPPER.createArrayNode();
        tags.forEach((k, v) -> a.addArray().add(k).add(v));
        return ControllerJson.write(a);
    }

    @Override
    public void putToken(JoinToken t) {
        locked("write token", () -> update("INSERT INTO " + p + "join_token (network, id, hash, created, expires, uses, uses_left, tags)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (network, id) DO UPDATE SET uses_left = excluded.uses_left",
                t.networkId(), t.id(), t.hash(), t.createdAt(), t.expiresAt(), t.uses(), t.usesLeft(), tagsJson(t.tags())));
    }

    @Override
    public boolean deleteToken(long nwid, String id) {
        return locked("delete token", () -> update("DELETE FROM " + p + "join_token WHERE network = ? AND id = ?", nwid, id)) > 0;
    }

    // ---- revocations

    @Override
    public Optional<Revocations> revocations(long nwid) {
        return locked("read revocations", () -> query("SELECT revision, floor, ts, entries, largest_max_delta, pso, digest FROM " + p
                + "revocation WHERE network = ?", rs -> {
                    SortedMap<String, Long> entries = new TreeMap<>();
                    ControllerJson.read(rs.getString(4)).fields().forEachRemaining(e -> entries.put(e.getKey(), e.getValue().asLong()));
                    byte[] pso = rs.getBytes(6), digest = rs.getBytes(7);
                    return new Revocations(nwid, rs.getLong(1), rs.getLong(2), rs.getLong(3), entries, rs.getLong(5),
                            pso == null ? null : new Signed(pso, digest));
                }, nwid).stream().findFirst());
    }

    @Override
    public void putRevocations(Revocations r) {
        ObjectNode entries = ControllerJson.MAPPER.createObjectNode();
        r.entries().forEach(entries::put);
        locked("write revocations", () -> update("INSERT INTO " + p + "revocation (network, revision, floor, ts, entries, largest_max_delta, pso, digest)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (network) DO UPDATE SET revision = excluded.revision, floor = excluded.floor,"
                + " ts = excluded.ts, entries = excluded.entries, largest_max_delta = excluded.largest_max_delta, pso = excluded.pso,"
                + " digest = excluded.digest", r.networkId(), r.revision(), r.floor(), r.timestamp(), ControllerJson.write(entries),
                r.largestMaxDelta(), r.signed() == null ? null : r.signed().pso(), r.signed() == null ? null : r.signed().digest()));
    }

    // ---- issuance clock

    @Override
    public long clockCeiling() {
        return locked("read clock", () -> query("SELECT ceiling FROM " + p + "issuance_clock WHERE id = 1", rs -> rs.getLong(1))
                .stream().findFirst().orElse(0L));
    }

    @Override
    public void putClockCeiling(long ceiling) {
        locked("write clock", () -> update("INSERT INTO " + p + "issuance_clock (id, ceiling) VALUES (1, ?)"
                + " ON CONFLICT (id) DO UPDATE SET ceiling = excluded.ceiling", ceiling));
    }

    @Override
    public void close() {
        lock.lock();
        try {
            c.close();
        } catch (SQLException e) {
            throw new StoreException("controller store: close failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }
}
