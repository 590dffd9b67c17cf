package dev.planetary.store.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.store.MemoryRatchetStore;
import dev.planetary.store.PeerRatchetStore;
import dev.planetary.store.PeerRecord;
import dev.planetary.store.testing.RatchetStoreContract;
import dev.planetary.store.RatchetStores;
import dev.planetary.zssp.RatchetState;
import dev.planetary.zssp.RatchetUpdate;
import dev.planetary.zssp.StaticKeyPair;
import dev.planetary.zssp.StaticPublicKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pruning by age, and the file checks that keep ratchet keys out of other users' reach. */
class StoreHygieneTest {
    static final StaticPublicKey OLD = StaticKeyPair.generate().publicKey();
    static final StaticPublicKey RECENT = StaticKeyPair.generate().publicKey();

    @TempDir
    Path dir;

    /** A clock the test moves. */
    static final class FakeClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    static RatchetUpdate first(RatchetState s) {
        return new RatchetUpdate(s, null, RatchetState.EMPTY, null, true, false, false);
    }

    /** OLD last seen on day 0, RECENT on day 100 (it reconnected): pruning at 90 days forgets OLD only. */
    void pruneByAge(PeerRatchetStore store, FakeClock clock) throws IOException {
        RatchetState o = RatchetStoreContract.st(3);
        RatchetState r = RatchetStoreContract.st(5);
        assertTrue(store.compareAndSwap(OLD, first(o)));
        assertTrue(store.compareAndSwap(RECENT, first(r)));
        clock.now = clock.now.plus(Duration.ofDays(100));
        RatchetState r2 = RatchetStoreContract.st(6);
        assertTrue(store.compareAndSwap(RECENT, new RatchetUpdate(r2, null, r, null, true, true, false)), "RECENT is seen again");
        assertEquals(1, store.prune(clock.now.minus(Duration.ofDays(90))));
        assertNull(store.load(OLD));
        assertNull(store.findByFingerprint(o.fingerprint()));
        assertNotNull(store.load(RECENT));
        assertEquals(r2, store.findByFingerprint(r2.fingerprint()));
        assertEquals(List.of(RECENT), store.peers().stream().map(PeerRecord::peer).toList());
        assertEquals(0, store.prune(clock.now.minus(Duration.ofDays(90))), "nothing more to prune");
    }

    @Test
    void memoryStorePrunesByAge() throws IOException {
        FakeClock clock = new FakeClock();
        try (MemoryRatchetStore s = new MemoryRatchetStore(clock)) {
            pruneByAge(s, clock);
        }
    }

    @Test
    void sqliteStorePrunesByAge() throws IOException {
        FakeClock clock = new FakeClock();
        try (SqliteRatchetStore s = SqliteRatchetStore.open(dir.resolve("r.db"), Duration.ofSeconds(5), clock)) {
            pruneByAge(s, clock);
        }
    }

    static void assertMessage(IOException e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message should contain '" + p + "': " + e.getMessage());
    }

    /** A link planted at the database's name (to a world-readable file) is refused, and the target is left untouched. */
    @Test
    void symlinkAtTheDatabaseIsRefused() throws IOException {
        Path target = dir.resolve("elsewhere.db");
        Files.createFile(target);
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
        Path state = Files.createDirectory(dir.resolve("state"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path db = state.resolve("ratchets.db");
        Files.createSymbolicLink(db, target);
        IOException e = assertThrows(IOException.class, () -> SqliteRatchetStore.open(db));
        assertMessage(e, "symbolic link", "refusing to follow");
        assertEquals(0, Files.size(target), "nothing written through the link");
        // a dangling link too (SQLite would create the target)
        Files.delete(target);
        e = assertThrows(IOException.class, () -> SqliteRatchetStore.open(db));
        assertMessage(e, "symbolic link");
        assertFalse(Files.exists(target));
        // and SQLite's -wal file
        Files.delete(db);
        Files.createSymbolicLink(state.resolve("ratchets.db-wal"), dir.resolve("wal-elsewhere"));
        e = assertThrows(IOException.class, () -> SqliteRatchetStore.open(db));
        assertMessage(e, "ratchets.db-wal", "symbolic link");
    }

    @Test
    void symlinkedStateDirectoryIsRefused() throws IOException {
        Path real = Files.createDirectory(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        IOException e = assertThrows(IOException.class, () -> RatchetStores.openDefault(link, OLD));
        assertMessage(e, "directory", "symbolic link");
        try (var files = Files.list(real)) {
            assertEquals(0, files.count(), "nothing created through the link");
        }
    }

    @Test
    void unprotectedDatabaseAndDirectoryAreRefusedWithTheFix() throws IOException {
        Path db = dir.resolve("ratchets.db");
        SqliteRatchetStore.open(db).close();
        Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r--r--"));
        IOException e = assertThrows(IOException.class, () -> SqliteRatchetStore.open(db));
        assertMessage(e, "UNPROTECTED RATCHET STORE", "0644", "chmod 600");
        Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-------"));
        SqliteRatchetStore.open(db).close();

        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        e = assertThrows(IOException.class, () -> SqliteRatchetStore.open(shared.resolve("ratchets.db")));
        assertMessage(e, "UNPROTECTED STATE DIRECTORY", "0777", "chmod 700");
        assertFalse(Files.exists(shared.resolve("ratchets.db")), "no file created in it");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
        SqliteRatchetStore.open(shared.resolve("ratchets.db")).close(); // 0755 is fine: only the owner can replace the file
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(shared.resolve("ratchets.db"))));
    }
}
