package dev.planetary.store.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.store.testing.CasWorker;
import dev.planetary.store.PeerRatchetStore;
import dev.planetary.store.testing.RatchetStoreContract;
import dev.planetary.store.RatchetStores;
import dev.planetary.zssp.RatchetState;
import dev.planetary.zssp.RatchetUpdate;
import dev.planetary.zssp.StaticKeyPair;
import dev.planetary.zssp.StaticPublicKey;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteRatchetStoreTest extends RatchetStoreContract {
    @TempDir
    Path dir;

    Path file() {
        return dir.resolve("ratchets.db");
    }

    @Override
    protected PeerRatchetStore openStore() throws IOException {
        return SqliteRatchetStore.open(file());
    }

    @Override
    protected PeerRatchetStore reopenStore() throws IOException {
        return SqliteRatchetStore.open(file());
    }

    static Connection raw(Path f) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + f);
    }

    static String perms(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    static void assertMessage(IOException e, String... parts) {
        for (String part : parts) assertTrue(e.getMessage().contains(part), "message should contain '" + part + "': " + e.getMessage());
    }

    // ----------------------------------------------------------------------------- files

    @Test
    void createsOwnerOnlyFileAndDirectories() throws IOException {
        Path f = dir.resolve("a").resolve("b").resolve("r.db");
        try (SqliteRatchetStore s = SqliteRatchetStore.open(f)) {
            assertTrue(s.compareAndSwap(ALICE, new RatchetUpdate(st(1), null, RatchetState.EMPTY, null, true, true, true)));
            assertEquals("rw-------", perms(f));
            assertEquals("rwx------", perms(dir.resolve("a")));
            assertEquals("rwx------", perms(dir.resolve("a/b")));
            Path wal = Path.of(f + "-wal");
            assertTrue(Files.exists(wal), "WAL mode keeps a -wal file while open");
            assertEquals("rw-------", perms(wal));
        }
        try (Connection c = raw(f); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
            assertTrue(rs.next());
            assertEquals("wal", rs.getString(1));
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void defaultFileIsPerLocalIdentity() throws IOException {
        StaticPublicKey id1 = StaticKeyPair.generate().publicKey();
        StaticPublicKey id2 = StaticKeyPair.generate().publicKey();
        Path state = dir.resolve("state");
        try (SqliteRatchetStore s1 = (SqliteRatchetStore) RatchetStores.openDefault(state, id1);
                SqliteRatchetStore s2 = (SqliteRatchetStore) RatchetStores.openDefault(state, id2)) {
            assertEquals(state.resolve("ratchets-" + id1.toHex().substring(0, 16) + ".db").toAbsolutePath(), s1.file());
            assertNotEquals(s1.file(), s2.file());
            s1.provisionOtp(ALICE, otp(), false);
            assertEquals(1, s1.peers().size());
            assertEquals(0, s2.peers().size(), "identities do not share ratchets");
            assertEquals("rwx------", perms(state));
        }
    }

    @Test
    void urlFactoryFindsThisStoreThroughTheServiceLoader() throws IOException {
        Path f = dir.resolve("by-url.db");
        try (PeerRatchetStore s = RatchetStores.open(RatchetStores.SQLITE_URL_PREFIX + f)) {
            assertEquals(f.toAbsolutePath(), assertInstanceOf(SqliteRatchetStore.class, s).file());
        }
        assertThrows(IllegalArgumentException.class, () -> RatchetStores.open(RatchetStores.SQLITE_URL_PREFIX + f + "?journal_mode=off"));
        assertThrows(IllegalArgumentException.class, () -> RatchetStores.open(RatchetStores.SQLITE_URL_PREFIX));
    }

    // ----------------------------------------------------------------------------- schema

    @Test
    void freshFileGetsCurrentSchemaVersionAndReopenKeepsIt() throws Exception {
        store.close();
        store = SqliteRatchetStore.open(file());
        try (Connection c = raw(file()); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
                rs.next();
                assertEquals(SqliteRatchetStore.SCHEMA_VERSION, rs.getInt(1));
            }
            try (ResultSet rs = st.executeQuery("PRAGMA application_id")) {
                rs.next();
                assertEquals(SqliteRatchetStore.APPLICATION_ID, rs.getInt(1));
            }
        }
        assertEquals(SqliteRatchetStore.SCHEMA_VERSION, SqliteRatchetStore.MIGRATIONS.size(), "one migration step per version");
    }

    @Test
    void refusesNewerSchema() throws Exception {
        store.close();
        store = null;
        try (Connection c = raw(file()); Statement st = c.createStatement()) {
            st.execute("PRAGMA user_version = 99");
        }
        IOException e = assertThrows(IOException.class, () -> SqliteRatchetStore.open(file()));
        assertMessage(e, file().toString(), "schema version 99", "newer");
    }

    @Test
    void refusesAnotherApplicationsDatabase() throws Exception {
        Path f = dir.resolve("other.db");
        try (Connection c = raw(f); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE customers (id INTEGER)");
        }
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------")); // past the permission check
        IOException e = assertThrows(IOException.class, () -> SqliteRatchetStore.open(f));
        assertMessage(e, f.toString(), "not a Planetary ratchet store");
    }

    @Test
    void fingerprintLookupUsesTheIndexes() throws Exception {
        try (Connection c = raw(file()); PreparedStatement ps = c.prepareStatement("EXPLAIN QUERY PLAN " + SqliteRatchetStore.SQL_FIND)) {
            ps.setBytes(1, new byte[32]);
            StringBuilder plan = new StringBuilder();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) plan.append(rs.getString("detail")).append('\n');
            }
            assertTrue(plan.toString().contains("USING INDEX ratchet_peers_fp1"), plan.toString());
            assertTrue(plan.toString().contains("USING INDEX ratchet_peers_fp2"), plan.toString());
            assertFalse(plan.toString().matches("(?s).*SCAN ratchet_peers(?! USING).*"), plan.toString());
        }
    }

    // ----------------------------------------------------------------------------- failures

    @Test
    void corruptFileGivesClearErrorOnOpen() throws IOException {
        store.close();
        store = null;
        Path f = dir.resolve("garbage.db");
        Files.write(f, "this is not an SQLite database, just garbage ".repeat(200).getBytes(StandardCharsets.US_ASCII));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------")); // past the permission check
        IOException e = assertThrows(IOException.class, () -> SqliteRatchetStore.open(f));
        assertMessage(e, f.toString(), "corrupt or is not an SQLite database");
    }

    @Test
    void damagedPagesAreDetectedOnOpen() throws IOException {
        for (int i = 0; i < 200; i++) seed(StaticKeyPair.generate().publicKey(), st(1), st(2));
        store.close();
        store = null;
        try (RandomAccessFile raf = new RandomAccessFile(file().toFile(), "rw")) {
            assertTrue(raf.length() > 3 * 4096, "several pages");
            byte[] junk = new byte[2 * 4096];
            java.util.Arrays.fill(junk, (byte) 0x5a);
            raf.seek(4096); // pages 2 and 3: b-tree pages of the table and indexes, not the file header page
            raf.write(junk);
        }
        IOException e = assertThrows(IOException.class, () -> SqliteRatchetStore.open(file()));
        assertMessage(e, file().toString(), "corrupt");
    }

    @Test
    void readOnlyFileLoadsButRefusesWritesClearly() throws IOException {
        RatchetState s1 = st(3);
        seed(ALICE, s1, null);
        store.close();
        Files.setPosixFilePermissions(file(), PosixFilePermissions.fromString("r--------"));
        try (SqliteRatchetStore ro = SqliteRatchetStore.open(file())) {
            assertTrue(ro.isReadOnly());
            assertEquals(s1, ro.load(ALICE).state1());
            assertEquals(s1, ro.findByFingerprint(s1.fingerprint()));
            IOException e = assertThrows(IOException.class,
                    () -> ro.compareAndSwap(ALICE, new RatchetUpdate(st(4), null, s1, null, true, true, true)));
            assertMessage(e, file().toString(), "read-only", "save ratchet states");
            assertThrows(IOException.class, () -> ro.provisionOtp(BOB, otp(), false));
            assertThrows(IOException.class, () -> ro.forget(ALICE));
            assertEquals(s1, ro.load(ALICE).state1(), "nothing changed");
        } finally {
            Files.setPosixFilePermissions(file(), PosixFilePermissions.fromString("rw-------"));
        }
        store = SqliteRatchetStore.open(file());
        assertTrue(store.compareAndSwap(ALICE, new RatchetUpdate(st(4), null, s1, null, true, true, true)), "writable again");
    }

    @Test
    void lockedDatabaseGivesClearErrorAfterBusyTimeoutAndChangesNothing() throws Exception {
        store.close();
        RatchetState s1 = st(1);
        try (SqliteRatchetStore s = SqliteRatchetStore.open(file(), Duration.ofMillis(200))) {
            assertTrue(s.compareAndSwap(ALICE, new RatchetUpdate(s1, null, RatchetState.EMPTY, null, true, true, true)));
            RatchetState n = st(2);
            RatchetUpdate u = new RatchetUpdate(n, null, s1, null, true, true, true);
            try (Connection other = raw(file()); Statement st = other.createStatement()) {
                st.execute("BEGIN EXCLUSIVE");
                st.execute("DELETE FROM ratchet_peers"); // uncommitted
                IOException e = assertThrows(IOException.class, () -> s.compareAndSwap(ALICE, u));
                assertMessage(e, file().toString(), "locked", "200 ms");
                assertEquals(s1, s.load(ALICE).state1(), "readers still see the committed state while it is locked");
                st.execute("ROLLBACK");
            }
            assertEquals(s1, s.load(ALICE).state1(), "the failed swap changed nothing");
            assertTrue(s.compareAndSwap(ALICE, u), "works once the lock is gone");
            assertEquals(n, s.load(ALICE).state1());
        }
        store = SqliteRatchetStore.open(file());
    }

    @Test
    void failedGroupCommitFailsEverySwapInItAndAppliesNone() throws Exception {
        store.close();
        try (SqliteRatchetStore s = SqliteRatchetStore.open(file(), Duration.ofMillis(200));
                Connection other = raw(file()); Statement lock = other.createStatement()) {
            lock.execute("BEGIN EXCLUSIVE");
            int n = 8;
            StaticPublicKey[] peers = new StaticPublicKey[n];
            for (int i = 0; i < n; i++) peers[i] = StaticKeyPair.generate().publicKey();
            java.util.concurrent.ConcurrentLinkedQueue<Object> outcomes = new java.util.concurrent.ConcurrentLinkedQueue<>();
            List<Thread> ts = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                StaticPublicKey p = peers[i];
                Thread t = new Thread(() -> {
                    try {
                        outcomes.add(s.compareAndSwap(p, new RatchetUpdate(st(1), null, RatchetState.EMPTY, null, true, true, true)));
                    } catch (IOException e) {
                        outcomes.add(e);
                    }
                });
                ts.add(t);
                t.start();
            }
            for (Thread t : ts) t.join();
            lock.execute("ROLLBACK");
            assertEquals(n, outcomes.size());
            for (Object o : outcomes) {
                assertTrue(o instanceof IOException, "every swap fails: " + o);
                assertMessage((IOException) o, file().toString(), "locked");
            }
            for (StaticPublicKey p : peers) assertEquals(null, s.load(p), "nothing applied");
        }
        store = SqliteRatchetStore.open(file());
    }

    @Test
    void errorMessagesNameTheCauseInPlainWords() {
        String f = "/var/x.db";
        assertMessage(SqliteErrors.sqlite(f, "save", new SQLException("full", null, 13), 5), f, "disk (or the database) is full");
        assertMessage(SqliteErrors.sqlite(f, "save", new SQLException("busy", null, 5 | (2 << 8)), 5), f, "locked");
        assertMessage(SqliteErrors.sqlite(f, "save", new SQLException("ro", null, 8), 5), f, "read-only");
        assertMessage(SqliteErrors.sqlite(f, "save", new SQLException("io", null, 10 | (4 << 8)), 5), f, "I/O error");
    }

    // ----------------------------------------------------------------------------- processes

    @Test
    void casIsAtomicAcrossProcessesSharingTheFile() throws Exception {
        StaticPublicKey peer = StaticKeyPair.generate().publicKey();
        int perThread = 40;
        Process child = CasWorker.spawn(Opener.class, peer, 2, perThread, List.of(file().toString()));
        CasWorker.run(store, peer, 2, perThread);
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, child.waitFor(), out);
        assertTrue(out.contains("wins=" + 2 * perThread), out);
        assertNotNull(store.load(peer));
        assertEquals(4L * perThread, store.load(peer).state1().chainLength(), "every win advanced the chain by exactly one");
    }

    /** Opens the SQLite file named by the child JVM's one argument. */
    public static final class Opener implements CasWorker.Opener {
        @Override
        public PeerRatchetStore open(List<String> args) throws IOException {
            return SqliteRatchetStore.open(Path.of(args.get(0)));
        }
    }
}
