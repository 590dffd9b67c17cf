package dev.planetary.store.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.store.PeerRatchetStore;
import dev.planetary.store.RatchetStores;
import dev.planetary.store.postgres.testing.PostgresFixture;
import dev.planetary.store.testing.CasWorker;
import dev.planetary.store.testing.RatchetStoreContract;
import dev.planetary.zssp.RatchetState;
import dev.planetary.zssp.RatchetUpdate;
import dev.planetary.zssp.StaticKeyPair;
import dev.planetary.zssp.StaticPublicKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The contract against a real PostgreSQL server (see {@link PostgresFixture}); every test has its own tables. */
class PostgresRatchetStoreTest extends RatchetStoreContract {
    PostgresFixture pg;
    String prefix;

    @Override
    protected PeerRatchetStore openStore() throws IOException {
        pg = PostgresFixture.get();
        prefix = PostgresFixture.freshPrefix();
        return PostgresRatchetStore.open(pg.url, pg.properties, prefix);
    }

    @Override
    protected PeerRatchetStore reopenStore() throws IOException {
        return PostgresRatchetStore.open(pg.url, pg.properties, prefix);
    }

    Connection raw() throws Exception {
        return DriverManager.getConnection(pg.url, pg.properties);
    }

    static void assertMessage(Exception e, String... parts) {
        for (String part : parts) assertTrue(e.getMessage().contains(part), "message should contain '" + part + "': " + e.getMessage());
    }

    /** The test cluster runs without TLS: the store says so (the CLI turns this into a warning). */
    @Test
    void reportsAnUnencryptedConnection() {
        assertFalse(((PostgresRatchetStore) store).encrypted());
    }

    @Test
    void tablesUseThePrefixAndCarryTheSchemaVersion() throws Exception {
        try (Connection c = raw(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT version FROM " + prefix + "schema_version")) {
            assertTrue(rs.next());
            assertEquals(PostgresRatchetStore.SCHEMA_VERSION, rs.getInt(1));
        }
        try (Connection c = raw(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM pg_indexes WHERE tablename = ? AND indexdef LIKE '%WHERE (fp%IS NOT NULL)'")) {
            ps.setString(1, prefix + "ratchet_peers");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals(2, rs.getInt(1), "two partial fingerprint indexes that leave out empty fingerprints");
            }
        }
        // a second store with another prefix in the same database is independent
        try (PostgresRatchetStore other = PostgresRatchetStore.open(pg.url, pg.properties, PostgresFixture.freshPrefix())) {
            store.provisionOtp(ALICE, otp(), false);
            assertEquals(0, other.peers().size());
            assertEquals(1, store.peers().size());
        }
    }

    @Test
    void refusesNewerSchema() throws Exception {
        try (Connection c = raw(); Statement st = c.createStatement()) {
            st.execute("UPDATE " + prefix + "schema_version SET version = 42");
        }
        IOException e = assertThrows(IOException.class, () -> PostgresRatchetStore.open(pg.url, pg.properties, prefix));
        assertMessage(e, "schema version 42", "newer", "127.0.0.1");
    }

    @Test
    void rejectsBadPrefixAndUrl() {
        assertThrows(IllegalArgumentException.class, () -> PostgresRatchetStore.open(pg.url, pg.properties, "x; DROP TABLE y"));
        assertThrows(IllegalArgumentException.class, () -> PostgresRatchetStore.open(pg.url, pg.properties, "Upper"));
        assertThrows(IllegalArgumentException.class, () -> PostgresRatchetStore.open("jdbc:sqlite:/tmp/x", pg.properties, "p_"));
    }

    @Test
    void unreachableServerGivesClearError() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Properties props = new Properties();
        props.setProperty("user", "planetary");
        props.setProperty("password", "hunter2");
        props.setProperty("connectTimeout", "5");
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/nowhere";
        IOException e = assertThrows(IOException.class, () -> PostgresRatchetStore.open(url, props, "p_"));
        assertMessage(e, url, "cannot reach");
        assertTrue(!e.getMessage().contains("hunter2"), "no password in messages");
    }

    @Test
    void rowLockedBeyondTheLockTimeoutGivesClearErrorAndChangesNothing() throws Exception {
        RatchetState s1 = st(1);
        seed(ALICE, s1, null);
        try (PostgresRatchetStore s = PostgresRatchetStore.open(pg.url, pg.properties, prefix, 2, Duration.ofMillis(300));
                Connection other = raw()) {
            other.setAutoCommit(false);
            try (Statement st = other.createStatement()) {
                st.execute("SELECT * FROM " + prefix + "ratchet_peers FOR UPDATE");
            }
            RatchetUpdate u = new RatchetUpdate(st(2), null, s1, null, true, true, true);
            IOException e = assertThrows(IOException.class, () -> s.compareAndSwap(ALICE, u));
            assertMessage(e, "locked", "127.0.0.1");
            other.rollback();
            assertEquals(s1, s.load(ALICE).state1());
            assertTrue(s.compareAndSwap(ALICE, u));
        }
    }

    @Test
    void concurrentCasFromSeveralStoreInstancesHasOneWinnerPerRound() throws Exception {
        // Separate instances have separate connection pools, as responders in different JVMs would.
        try (PostgresRatchetStore b = PostgresRatchetStore.open(pg.url, pg.properties, prefix);
                PostgresRatchetStore c = PostgresRatchetStore.open(pg.url, pg.properties, prefix)) {
            runRounds(List.of(store, b, c), 6, 100);
        }
    }

    @Test
    void casIsAtomicAcrossJvms() throws Exception {
        StaticPublicKey peer = StaticKeyPair.generate().publicKey();
        int perThread = 50;
        Process child = CasWorker.spawn(Opener.class, peer, 3, perThread, List.of(pg.url, prefix));
        CasWorker.run(store, peer, 3, perThread);
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, child.waitFor(), out);
        assertTrue(out.contains("wins=" + 3 * perThread), out);
        assertEquals(6L * perThread, store.load(peer).state1().chainLength(), "every win advanced the chain by exactly one");
    }

    @Test
    void errorMessagesSayTheCauseAndHideCredentials() {
        assertMessage(PostgresErrors.postgres("jdbc:postgresql://h/db", "save", new SQLException("x", "53100")), "jdbc:postgresql://h/db", "disk is full");
        assertMessage(PostgresErrors.postgres("u", "save", new SQLException("x", "08006")), "cannot reach");
        assertEquals("jdbc:postgresql://h:5432/db", RatchetStores.redactUrl("jdbc:postgresql://bob:secret@h:5432/db?password=secret"));
    }

    /** Opens the PostgreSQL store at the child JVM's arguments: URL and table prefix (user planetary, as the fixture's cluster). */
    public static final class Opener implements CasWorker.Opener {
        @Override
        public PeerRatchetStore open(List<String> args) throws IOException {
            Properties props = new Properties();
            props.setProperty("user", "planetary");
            return PostgresRatchetStore.open(args.get(0), props, args.get(1));
        }
    }
}
