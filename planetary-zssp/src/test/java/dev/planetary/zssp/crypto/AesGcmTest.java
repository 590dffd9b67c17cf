package dev.planetary.zssp.crypto;

import static dev.planetary.zssp.testing.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** AES-256-GCM with ZSSP nonces and header protection against spec Appendix A. */
class AesGcmTest {

    @Test
    void nonceLayout() {
        assertArrayEquals(hex("000000080102030405060708"), AesGcm.nonce(8, 0x0102030405060708L));
        assertArrayEquals(hex("00000009ffffffffffffffff"), AesGcm.nonce(9, -1L), "counter is unsigned");
    }

    @Test
    void keyConfirmationTagAndProtectedHeader() {
        byte[] kek = new byte[32];
        Arrays.fill(kek, (byte) 0x42);
        byte[] tag = new byte[16];
        assertEquals(16, new AesGcm(kek).seal(3, 5, null, new byte[0], 0, 0, tag, 0));
        assertArrayEquals(hex("7c6d4e7248e6238d7fc16c6098712218"), tag);

        byte[] fragment = hex("a1b2c3d4" + "00" + "01" + "00" + "03" + "0000000000000005" + "7c6d4e7248e6238d7fc16c6098712218");
        byte[] hk = new byte[32];
        Arrays.fill(hk, (byte) 0x11);
        HeaderCipher hc = new HeaderCipher(hk);
        hc.encryptBlock(fragment, 4);
        assertArrayEquals(hex("a1b2c3d4a389c5ec669c5ca9e949fdcece13a3ad48e6238d7fc16c6098712218"), fragment);
        hc.decryptBlock(fragment, 4);
        assertArrayEquals(hex("a1b2c3d40001000300000000000000057c6d4e7248e6238d7fc16c6098712218"), fragment);
    }

    @Test
    void inPlaceRoundTripAndTagFailures() {
        AesGcm k = new AesGcm(new byte[32]);
        byte[] buf = new byte[1400 + 16];
        for (int i = 0; i < 1400; i++) buf[i] = (byte) i;
        byte[] orig = Arrays.copyOf(buf, 1400);
        int n = k.seal(8, 77, null, buf, 0, 1400, buf, 0);
        assertEquals(1416, n);
        byte[] sealed = buf.clone();
        assertTrue(k.open(8, 77, null, buf, 0, n, buf, 0));
        assertArrayEquals(orig, Arrays.copyOf(buf, 1400));

        assertFalse(k.open(8, 78, null, sealed.clone(), 0, n, new byte[n], 0), "wrong counter");
        assertFalse(k.open(7, 77, null, sealed.clone(), 0, n, new byte[n], 0), "wrong type");
        byte[] flipped = sealed.clone();
        flipped[1415] ^= (byte) 0x80;
        assertFalse(k.open(8, 77, null, flipped, 0, n, new byte[n], 0), "bad tag");
        assertFalse(k.open(8, 77, null, new byte[15], 0, 15, new byte[15], 0), "shorter than a tag");
    }

    /** A key refuses to seal the nonce it sealed last (even the same message); never another Cipher to get round it. */
    @Test
    void sealingOneNonceTwiceInARowIsRefused() {
        AesGcm k = new AesGcm(new byte[32]);
        byte[] a = new byte[16];
        k.seal(3, 0, null, new byte[0], 0, 0, a, 0);
        Throwable t = org.junit.jupiter.api.Assertions.assertThrows(Throwable.class, () -> k.seal(3, 0, null, new byte[1], 0, 1, new byte[17], 0));
        assertTrue(t instanceof IllegalStateException || t instanceof AssertionError, t.toString());
        k.seal(3, 1, null, new byte[0], 0, 0, a, 0); // the next counter is fine
        k.destroy();
    }

    /** With assertions on (as in every test run), any earlier nonce is refused too, not only the last. */
    @Test
    void sealingAnEarlierNonceAgainFailsTheAudit() {
        org.junit.jupiter.api.Assumptions.assumeTrue(AesGcm.class.desiredAssertionStatus(), "needs -ea");
        AesGcm k = new AesGcm(new byte[32]);
        byte[] out = new byte[32];
        k.seal(8, 5, null, new byte[16], 0, 16, out, 0);
        k.seal(8, 7, null, new byte[16], 0, 16, out, 0);
        k.seal(8, 6, null, new byte[16], 0, 16, out, 0); // out of order is fine (concurrent senders)
        k.seal(7, 5, null, new byte[16], 0, 16, out, 0); // another type is another nonce
        org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> k.seal(8, 5, null, new byte[16], 0, 16, out, 0));
        k.destroy();
    }

    /** open() reports every malformed input as false: it never throws. */
    @Test
    void openReturnsFalseForEveryMalformedInput() {
        AesGcm k = new AesGcm(new byte[32]);
        byte[] buf = new byte[64];
        int n = k.seal(8, 1, null, buf, 0, 16, buf, 0);
        byte[] good = AesGcm.nonce(8, 1);
        assertTrue(k.open(good, null, buf.clone(), 0, n, new byte[16], 0), "the well-formed case opens");
        assertFalse(k.open(new byte[0], null, buf.clone(), 0, n, new byte[16], 0), "zero-length nonce");
        assertFalse(k.open(null, null, buf.clone(), 0, n, new byte[16], 0), "null nonce");
        assertFalse(k.open(new byte[11], null, buf.clone(), 0, n, new byte[16], 0), "short nonce");
        assertFalse(k.open(new byte[13], null, buf.clone(), 0, n, new byte[16], 0), "long nonce");
        assertFalse(k.open(good, null, null, 0, n, new byte[16], 0), "null input");
        assertFalse(k.open(good, null, buf.clone(), 0, n, null, 0), "null output");
        assertFalse(k.open(good, null, buf.clone(), -1, n, new byte[16], 0), "negative offset");
        assertFalse(k.open(good, null, buf.clone(), 60, n, new byte[16], 0), "range past the end");
        assertFalse(k.open(good, null, buf.clone(), 0, Integer.MAX_VALUE, new byte[16], 0), "huge length");
        assertFalse(k.open(good, null, buf.clone(), 0, -5, new byte[16], 0), "negative length");
        assertFalse(k.open(good, null, buf.clone(), 0, n, new byte[15], 0), "output too small");
        assertFalse(k.open(good, null, buf.clone(), 0, n, new byte[16], -1), "negative output offset");
        assertFalse(k.open(good, null, buf.clone(), 0, n, new byte[16], 1), "output offset past room");
        k.destroy();
        assertFalse(k.open(good, null, buf.clone(), 0, n, new byte[16], 0), "destroyed key");
    }

    /** Destroying a key gives back the Cipher the destroying thread holds for it, at once. */
    @Test
    void destroyReturnsTheCallingThreadsCipher() {
        AesGcm k = new AesGcm(new byte[32]);
        byte[] buf = new byte[32];
        k.seal(8, 1, null, buf, 0, 16, buf, 0);
        k.seal(8, 2, null, buf, 0, 16, buf, 0); // a second use: the key earns a Cipher, kept by this thread
        // (it may have evicted a destroyed key's Cipher from the thread's table, so compare with now)
        int held = AesKey.live();
        k.destroy();
        assertTrue(AesKey.live() == held - 1 || held == AesKey.BUDGET, "still counted: " + (AesKey.live() - held + 1));
    }

    /**
     * A key earns a Cipher only on its second use in a sweep period, and the idle sweep takes it back
     * after a whole period unused; the key works the same throughout (virtual thread: no Ciphers
     * are kept by the thread, so every one is in the key).
     */
    @Test
    void idleKeysHoldNoCipher() throws Exception {
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread.ofVirtual().start(() -> {
            try {
                int base = AesKey.live();
                AesGcm k = new AesGcm(new byte[32]);
                HeaderCipher h = new HeaderCipher(new byte[32]);
                byte[] buf = new byte[48];
                byte[] block = new byte[16];
                int n = k.seal(8, 1, null, buf, 0, 16, buf, 0);
                h.encryptBlock(block, 0);
                assertEquals(base, AesKey.live(), "a key used once holds no Cipher");
                assertTrue(k.open(8, 1, null, buf, 0, n, buf, 0));
                h.encryptBlock(block, 0);
                assertEquals(base + 2, AesKey.live(), "a second use in the period: one Cipher per key");
                assertEquals(0, k.dropIdleCiphers() + h.dropIdleCiphers(), "used in this period: kept, reference bit cleared");
                assertEquals(base + 2, AesKey.live());
                assertEquals(2, k.dropIdleCiphers() + h.dropIdleCiphers(), "a whole period unused: given back");
                assertEquals(base, AesKey.live());
                n = k.seal(8, 2, null, buf, 0, 16, buf, 0); // after the sweep: the shared Cipher again, same results
                assertTrue(k.open(8, 2, null, buf, 0, n, buf, 0));
                AesGcm control = new AesGcm(new byte[32]); // same key bytes, never swept
                byte[] viaSwept = new byte[32];
                byte[] viaControl = new byte[32];
                k.seal(8, 3, null, new byte[16], 0, 16, viaSwept, 0);
                control.seal(8, 3, null, new byte[16], 0, 16, viaControl, 0);
                assertArrayEquals(viaControl, viaSwept, "a swept key seals as before");
                h.decryptBlock(block, 0);
                h.decryptBlock(block, 0);
                assertArrayEquals(new byte[16], block, "the header key still decrypts its two encryptions");
                k.destroy();
                h.destroy();
                control.destroy();
                assertTrue(AesKey.live() <= base, "destroy gives back the rest");
            } catch (Throwable t) {
                failure.set(t);
            }
        }).join();
        if (failure.get() != null) throw new AssertionError(failure.get());
    }

    @Test
    void manyThreadsShareOneKey() throws Exception {
        AesGcm k = new AesGcm(new byte[32]);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int id = t;
                results.add(pool.submit(() -> {
                    byte[] buf = new byte[100 + 16];
                    for (int i = 0; i < 2000; i++) {
                        long c = ((long) id << 32) | i;
                        Arrays.fill(buf, 0, 100, (byte) i);
                        int n = k.seal(8, c, null, buf, 0, 100, buf, 0);
                        if (!k.open(8, c, null, buf, 0, n, buf, 0) || buf[99] != (byte) i) return false;
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : results) assertTrue(f.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void cipherBudgetBoundsCachedCiphersAndTheFallbackStaysCorrect() {
        int keys = AesKey.BUDGET + 1000;
        java.util.List<AesGcm> all = new ArrayList<>();
        byte[] k = new byte[32];
        byte[] buf = new byte[16 + 16];
        for (int i = 0; i < keys; i++) {
            Bytes.putInt(k, 0, i);
            AesGcm g = new AesGcm(k);
            all.add(g);
            Bytes.putInt(buf, 0, i);
            int n = g.seal(8, i, null, buf, 0, 16, buf, 0);
            assertTrue(g.open(8, i, null, buf, 0, n, buf, 0), "key " + i);
            assertEquals(i, Bytes.getInt(buf, 0));
            assertTrue(AesKey.live() <= AesKey.BUDGET, "cached Ciphers above the budget");
        }
        int before = AesKey.live();
        for (AesGcm g : all) g.destroy();
        assertTrue(AesKey.live() < before, "destroyed keys give their Ciphers back");
    }

    /** A platform thread keeps the Ciphers of its last keys; a destroyed key's Cipher leaves the budget when evicted. */
    @Test
    void threadHeldCiphersLeaveTheBudgetOnceTheirKeyIsDestroyed() {
        int base = AesKey.live();
        byte[] k = new byte[32];
        byte[] buf = new byte[32];
        java.util.List<AesGcm> first = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Bytes.putInt(k, 4, i + 1); // never the all-zero key other tests seal with on this thread's shared Cipher
            AesGcm g = new AesGcm(k);
            first.add(g);
            int n = g.seal(8, 1, null, buf, 0, 16, buf, 0);
            assertTrue(g.open(8, 1, null, buf, 0, n, buf, 0));
            n = g.seal(8, 2, null, buf, 0, 16, buf, 0); // second use: the thread's own Cipher, no new one
            assertTrue(g.open(8, 2, null, buf, 0, n, buf, 0));
        }
        assertTrue(AesKey.live() - base <= 40, "one Cipher per key at most: " + (AesKey.live() - base));
        for (AesGcm g : first) g.destroy();
        java.util.List<AesGcm> second = new ArrayList<>();
        for (int i = 0; i < 32; i++) { // consecutive keys cover every entry of the thread's table
            Bytes.putInt(k, 8, i + 1);
            AesGcm g = new AesGcm(k);
            second.add(g);
            int n = g.seal(8, 1, null, buf, 0, 16, buf, 0);
            assertTrue(g.open(8, 1, null, buf, 0, n, buf, 0));
        }
        for (AesGcm g : second) g.destroy();
        assertTrue(AesKey.live() - base <= 16, "only the thread's table (16 entries) may still hold Ciphers: " + (AesKey.live() - base));
        AesGcm fresh = new AesGcm(new byte[32]);
        for (int i = 0; i < 16; i++) { // the last key's bytes again: counters it has not sealed
            AesGcm g = new AesGcm(k);
            g.seal(8, 100 + 2 * i, null, buf, 0, 16, buf, 0);
            g.seal(8, 101 + 2 * i, null, buf, 0, 16, buf, 0); // the second use claims a table entry
        }
        fresh.destroy();
    }

    /** Ciphers held by a platform thread that has finished go back to the budget (no slow leak with thread pools). */
    @Test
    void finishedThreadsGiveTheirCiphersBack() throws Exception {
        AesKey.reclaimFinishedThreads();
        int base = AesKey.live();
        Thread t = Thread.ofPlatform().start(() -> {
            byte[] k = new byte[32];
            byte[] buf = new byte[32];
            for (int i = 0; i < 10; i++) {
                Bytes.putInt(k, 12, i + 1);
                AesGcm g = new AesGcm(k);
                int n = g.seal(8, 1, null, buf, 0, 16, buf, 0);
                assertTrue(g.open(8, 1, null, buf, 0, n, buf, 0));
            }
        });
        t.join();
        assertEquals(10, AesKey.live() - base, "the finished thread's table still counts its 10 Ciphers");
        t = null;
        // The table is collected at some GC after the thread ended (other finished threads' tables may come back too).
        for (int i = 0; i < 100 && AesKey.live() > base; i++) {
            System.gc();
            Thread.sleep(10);
            AesKey.reclaimFinishedThreads();
        }
        assertTrue(AesKey.live() <= base, "the finished thread's Ciphers came back to the budget: " + (AesKey.live() - base) + " still out");
    }

    @Test
    void destroyedKeysAreWipedAndRefuseUse() {
        AesGcm k = new AesGcm(new byte[32]);
        assertEquals("AES", k.getAlgorithm());
        assertEquals(32, k.getEncoded().length);
        k.destroy();
        assertTrue(k.isDestroyed());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, k::getEncoded);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> k.seal(8, 1, null, new byte[0], 0, 0, new byte[16], 0));
    }
}
