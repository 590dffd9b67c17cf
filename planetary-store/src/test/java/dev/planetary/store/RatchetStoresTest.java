package dev.planetary.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The URL factory without any durable store on the class path (this module's tests carry no driver). */
class RatchetStoresTest {

    @Test
    void memoryUrlOpensAnEmptyMemoryStore() throws IOException {
        try (PeerRatchetStore s = RatchetStores.open(RatchetStores.MEMORY_URL)) {
            assertInstanceOf(MemoryRatchetStore.class, s);
            assertTrue(s.peers().isEmpty());
        }
    }

    @Test
    void aMissingStoreArtifactIsNamed() {
        IllegalStateException pg = assertThrows(IllegalStateException.class,
                () -> RatchetStores.open("jdbc:postgresql://user:secret@db.example:5432/planetary?password=secret"));
        assertTrue(pg.getMessage().contains("dev.planetary:planetary-store-postgres"), pg.getMessage());
        IllegalStateException sqlite = assertThrows(IllegalStateException.class,
                () -> RatchetStores.openDefault(Path.of("/nonexistent"), dev.planetary.zssp.StaticKeyPair.generate().publicKey()));
        assertTrue(sqlite.getMessage().contains("dev.planetary:planetary-store-sqlite"), sqlite.getMessage());
    }

    @Test
    void anUnknownUrlIsRefusedWithoutItsCredentials() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RatchetStores.open("jdbc:mysql://bob:secret@h/db?password=secret"));
        assertTrue(e.getMessage().contains("jdbc:mysql://h/db"), e.getMessage());
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RatchetStores.open(""));
        assertThrows(NullPointerException.class, () -> RatchetStores.open(null));
    }

    @Test
    void redactUrlDropsQueryAndUserInfo() {
        assertEquals("jdbc:postgresql://h:5432/db", RatchetStores.redactUrl("jdbc:postgresql://bob:secret@h:5432/db?password=secret"));
    }

    @Test
    void defaultStateDirectoryFollowsXdg() {
        assertEquals(Path.of("/x/state/planetary"), RatchetStores.defaultStateDirectory(Map.of("XDG_STATE_HOME", "/x/state"), "/home/u"));
        assertEquals(Path.of("/home/u/.local/state/planetary"), RatchetStores.defaultStateDirectory(Map.of(), "/home/u"));
        assertEquals(Path.of("/home/u/.local/state/planetary"), RatchetStores.defaultStateDirectory(Map.of("XDG_STATE_HOME", "rel"), "/home/u"));
        assertEquals(Path.of("/home/u/.local/state/planetary"), RatchetStores.defaultStateDirectory(Map.of("XDG_STATE_HOME", ""), "/home/u"));
        assertTrue(RatchetStores.defaultStateDirectory().endsWith("planetary"));
        assertTrue(RatchetStores.defaultFileName(dev.planetary.zssp.StaticKeyPair.generate().publicKey()).matches("ratchets-[0-9a-f]{16}\\.db"));
    }
}
