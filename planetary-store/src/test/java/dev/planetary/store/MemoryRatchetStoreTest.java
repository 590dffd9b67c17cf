package dev.planetary.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.store.testing.RatchetStoreContract;
import dev.planetary.zssp.RatchetState;
import dev.planetary.zssp.RatchetUpdate;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class MemoryRatchetStoreTest extends RatchetStoreContract {
    @Override
    protected PeerRatchetStore openStore() {
        return new MemoryRatchetStore();
    }

    @Override
    protected PeerRatchetStore reopenStore() throws IOException {
        return null;
    }

    @Test
    void withACapacityTheLeastRecentlyUsedPeerIsForgottenWithItsFingerprints() throws IOException {
        try (MemoryRatchetStore lru = new MemoryRatchetStore(2)) {
            RatchetState a = st(1), b = st(1), c = st(1);
            assertTrue(lru.compareAndSwap(ALICE, new RatchetUpdate(a, null, RatchetState.EMPTY, null, true, true, true)));
            assertTrue(lru.compareAndSwap(BOB, new RatchetUpdate(b, null, RatchetState.EMPTY, null, true, true, true)));
            assertNotNull(lru.load(ALICE)); // Alice is now the most recently used
            assertTrue(lru.compareAndSwap(CAROL, new RatchetUpdate(c, null, RatchetState.EMPTY, null, true, true, true)));
            assertNull(lru.load(BOB), "the least recently used peer is forgotten");
            assertNull(lru.findByFingerprint(b.fingerprint()), "and its fingerprints leave the index");
            assertEquals(a, lru.findByFingerprint(a.fingerprint()));
            assertEquals(2, lru.peers().size());
        }
        assertThrows(IllegalArgumentException.class, () -> new MemoryRatchetStore(0));
    }
}
