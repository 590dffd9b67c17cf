package dev.planetary.zssp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.zssp.RatchetPair;
import dev.planetary.zssp.RatchetState;
import dev.planetary.zssp.RatchetUpdate;
import dev.planetary.zssp.StaticKeyPair;
import dev.planetary.zssp.StaticPublicKey;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The in-memory ratchet pairs and their fingerprint index (spec §8.2, §8.3) behind both memory stores. */
class RatchetTableTest {
    private static final StaticPublicKey ALICE = StaticKeyPair.generate().publicKey();
    private static final StaticPublicKey BOB = StaticKeyPair.generate().publicKey();

    private static RatchetState state(int seed) {
        byte[] otp = new byte[32];
        otp[0] = (byte) seed;
        return RatchetState.fromOtp(otp);
    }

    @Test
    void aFingerprintTwoPeersShareStaysIndexedUntilBothLetItGo() {
        RatchetTable<RatchetPair> t = new RatchetTable<>(Function.identity());
        RatchetState shared = state(1), other = state(2);
        t.put(ALICE, new RatchetPair(shared, null));
        t.put(BOB, new RatchetPair(shared, null));
        assertEquals(1, t.indexedFingerprints());
        t.put(ALICE, new RatchetPair(other, shared));
        t.remove(BOB);
        assertEquals(shared, t.findByFingerprint(shared.fingerprint()), "Alice still holds it as her second state");
        t.put(ALICE, new RatchetPair(other, null));
        assertNull(t.findByFingerprint(shared.fingerprint()));
        assertEquals(other, t.findByFingerprint(other.fingerprint()));
        assertEquals(1, t.indexedFingerprints());
        assertNull(t.findByFingerprint(RatchetState.EMPTY.fingerprint()), "the empty state is never indexed");
    }

    @Test
    void matchesIsTheCompareAndSwapPreconditionAndNoRecordIsTheInitialPair() {
        RatchetState a = state(3), b = state(4);
        RatchetUpdate fromInitial = new RatchetUpdate(a, null, RatchetState.EMPTY, null, true, true, true);
        assertTrue(RatchetTable.matches(null, fromInitial));
        assertTrue(RatchetTable.matches(RatchetPair.INITIAL, fromInitial));
        assertFalse(RatchetTable.matches(new RatchetPair(a, null), fromInitial));
        RatchetUpdate fromAB = new RatchetUpdate(b, a, a, b, true, true, true);
        assertTrue(RatchetTable.matches(new RatchetPair(a, b), fromAB));
        assertFalse(RatchetTable.matches(new RatchetPair(a, null), fromAB), "no second state is not any second state");
    }

    @Test
    void removeEldestForgetsTheLeastRecentlyUsedPeerWithItsFingerprints() {
        RatchetTable<RatchetPair> t = new RatchetTable<>(Function.identity());
        RatchetState a = state(5), b = state(6);
        t.put(ALICE, new RatchetPair(a, null));
        t.put(BOB, new RatchetPair(b, null));
        t.get(ALICE); // a use: Bob is now the eldest
        assertSame(BOB, t.removeEldest());
        assertNull(t.findByFingerprint(b.fingerprint()));
        assertEquals(1, t.size());
        assertEquals(ALICE, t.entries().getFirst().getKey());
        t.clear();
        assertNull(t.removeEldest());
        assertEquals(0, t.indexedFingerprints());
    }
}
