package dev.planetary.store.testing;


import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.store.PeerExistsException;
import dev.planetary.store.PeerRatchetStore;
import dev.planetary.store.PeerRecord;
import dev.planetary.zssp.RatchetPair;
import dev.planetary.zssp.RatchetState;
import dev.planetary.zssp.RatchetUpdate;
import dev.planetary.zssp.StaticKeyPair;
import dev.planetary.zssp.StaticPublicKey;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link PeerRatchetStore} must have (spec §8): run against each
 * implementation by a subclass that says how to open a fresh, empty store. Public, with public
 * members: the SQLite and PostgreSQL stores' tests (other modules, other packages) extend it.
 */
public abstract class RatchetStoreContract {
    public static final SecureRandom RANDOM = new SecureRandom();
    public static final StaticPublicKey ALICE = StaticKeyPair.generate().publicKey();
    public static final StaticPublicKey BOB = StaticKeyPair.generate().publicKey();
    public static final StaticPublicKey CAROL = StaticKeyPair.generate().publicKey();

    protected PeerRatchetStore store;

    /** A fresh, empty store. Called once before each test. */
    protected abstract PeerRatchetStore openStore() throws IOException;

    /** The same storage opened again (after {@link #store} was closed), or null if it does not persist. */
    protected PeerRatchetStore reopenStore() throws IOException {
        return null;
    }

    @BeforeEach
    public void openIt() throws IOException {
        store = openStore();
    }

    @AfterEach
    public void closeIt() throws IOException {
        if (store != null) store.close();
    }

    // ----------------------------------------------------------------------------- helpers

    public static RatchetState st(long chain) {
        byte[] key = new byte[32];
        byte[] fp = new byte[32];
        RANDOM.nextBytes(key);
        RANDOM.nextBytes(fp);
        return new RatchetState(key, fp, chain);
    }

    public static byte[] otp() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return b;
    }

    /** Stores (s1, s2) for the peer through the public API (from no record). */
    public void seed(StaticPublicKey peer, RatchetState s1, RatchetState s2) throws IOException {
        assertTrue(store.compareAndSwap(peer, new RatchetUpdate(s1, s2, RatchetState.EMPTY, null, true, false, false)));
    }

    public void assertStored(StaticPublicKey peer, RatchetState s1, RatchetState s2) throws IOException {
        RatchetPair p = store.load(peer);
        assertNotNull(p, "record expected");
        assertEquals(s1, p.state1());
        assertArrayEquals(s1.key(), p.state1().key(), "state1 key round-trips");
        if (s2 == null) {
            assertNull(p.state2(), "no state2 expected");
        } else {
            assertNotNull(p.state2(), "state2 expected");
            assertEquals(s2, p.state2());
            assertArrayEquals(s2.key(), p.state2().key(), "state2 key round-trips");
        }
    }

    public void assertFound(RatchetState s) throws IOException {
        RatchetState f = store.findByFingerprint(s.fingerprint());
        assertEquals(s, f, "found by fingerprint");
        assertArrayEquals(s.key(), f.key());
    }

    public void assertNotFound(RatchetState s) throws IOException {
        assertNull(store.findByFingerprint(s.fingerprint()), "must not be found by fingerprint: " + s);
    }

    // ----------------------------------------------------------------------------- no record

    @Test
    public void unknownPeerHasNoRecordAndCasTreatsItAsEmptyNone() throws IOException {
        assertNull(store.load(ALICE));
        RatchetState n = st(1);
        // A CAS expecting anything but (EMPTY, none) fails and creates nothing.
        assertFalse(store.compareAndSwap(ALICE, new RatchetUpdate(n, null, st(1), null, true, true, true)));
        assertFalse(store.compareAndSwap(ALICE, new RatchetUpdate(n, null, RatchetState.EMPTY, RatchetState.EMPTY, true, true, true)));
        assertNull(store.load(ALICE));
        assertNotFound(n);
        // Expecting (EMPTY, none) succeeds (Bob's X3 for a new peer).
        assertTrue(store.compareAndSwap(ALICE, new RatchetUpdate(n, null, RatchetState.EMPTY, null, true, true, true)));
        assertStored(ALICE, n, null);
        assertFound(n);
        assertNull(store.load(BOB), "other peers are unaffected");
    }

    // ----------------------------------------------------------------------------- §8.3 rows

    @Test
    public void rowX2Index1KeepsState1() throws IOException {
        RatchetState s1 = st(3), s2 = st(2), n = st(4);
        seed(ALICE, s1, s2);
        assertTrue(store.compareAndSwap(ALICE, new RatchetUpdate(n, s1, s1, s2, true, false, true)));
        assertStored(ALICE, n, s1);
        assertFound(n);
        assertFound(s1);
        assertNotFound(s2);
    }

    @Test
    public void rowX2Index2KeepsState2() throws IOException {
        RatchetState s1 = st(3), s2 = st(2), n = st(3);
        seed(ALICE, s1, s2);
        assertTrue(store.compareAndSwap(ALICE, new RatchetUpdate(n, s2, s1, s2, true, true, false)));
        assertStored(ALICE, n, s2);
        assertFound(n);
        assertFound(s2);
        assertNotFound(s1);
    }

    @Test
    public void rowX2FromNothingStoresEmptyAsState2WhichIsNotNone() throws IOException {
        // Alice's first session: stored (EMPTY, none), used index 1 (EMPTY): new pair (new, EMPTY).
        RatchetState n = st(1);
        assertTrue(store.compareAndSwap(BOB, new RatchetUpdate(n, RatchetState.EMPTY, RatchetState.EMPTY, null, true, false, true)));
        assertStored(BOB, n, RatchetState.EMPTY);
        assertFound(n);
        assertNull(store.findByFingerprint(new byte[32]), "the empty fingerprint is never indexed");
        // (n, EMPTY) is not (n, none): a CAS expecting none fails, one expecting EMPTY succeeds.
        RatchetState m = st(2);
        assertFalse(store.compareAndSwap(BOB, new RatchetUpdate(m, null, n, null, true, true, true)));
        assertTrue(store.compareAndSwap(BOB, new RatchetUpdate(m, null, n, RatchetState.EMPTY, true, true, true)));
        assertStored(BOB, m, null);
    }

    @Test
    public void rowX3ReplacesBothStates() throws IOException {
        RatchetState s1 = st(7), s2 = st(6), n = st(8);
        seed(ALICE, s1, s2);
        assertTrue(store.compareAndSwap(ALICE, new RatchetUpdate(n, null, s1, s2, true, true, true)));
        assertStored(ALICE, n, null);
        assertFound(n);
        assertNotFound(s1);
        assertNotFound(s2);
    }

    @Test
    public void rowC1DropsState2() throws IOException {
        RatchetState s1 = st(5), s2 = st(4);
        seed(ALICE, s1, s2);
        assertTrue(store.compareAndSwap(ALICE, new RatchetUpdate(s1, null, s1, s2, false, false, true)));
        assertStored(ALICE, s1, null);
        assertFound(s1);
        assertNotFound(s2);
    }

    @Test
    public void rowK1ShiftsState1ToState2() throws IOException {
        RatchetState s1 = st(5), s2 = st(4), n = st(6);
        seed(ALICE, s1, s2);
        assertTrue(store.compareAndSwap(ALICE, new RatchetUpdate(n, s1, s1, s2, true, false, true)));
        assertStored(ALICE, n, s1);
        assertFound(n);
        assertFound(s1);
        assertNotFound(s2);
    }

    @Test
    public void rowK2ReplacesBothStates() throws IOException {
        RatchetState s1 = st(5), n = st(6);
        seed(ALICE, s1, null);
        assertTrue(store.compareAndSwap(ALICE, new RatchetUpdate(n, null, s1, null, true, true, true)));
        assertStored(ALICE, n, null);
        assertFound(n);
        assertNotFound(s1);
    }

    @Test
    public void mismatchedCurrentPairChangesNothing() throws IOException {
        RatchetState s1 = st(5), s2 = st(4), n = st(6);
        seed(ALICE, s1, s2);
        RatchetState sameFingerprintOtherChain = new RatchetState(s1.key(), s1.fingerprint(), 6);
        List<RatchetUpdate> wrong = List.of(
                new RatchetUpdate(n, null, sameFingerprintOtherChain, s2, true, true, true), // chain differs
                new RatchetUpdate(n, null, st(5), s2, true, true, true), // fingerprint differs
                new RatchetUpdate(n, null, s1, null, true, true, true), // state2 expected absent
                new RatchetUpdate(n, null, s1, RatchetState.EMPTY, true, true, true), // state2 expected empty
                new RatchetUpdate(n, null, s2, s1, true, true, true), // swapped
                new RatchetUpdate(n, null, RatchetState.EMPTY, null, true, true, true)); // expects no record
        for (RatchetUpdate u : wrong) {
            assertFalse(store.compareAndSwap(ALICE, u), "must fail: " + u);
            assertStored(ALICE, s1, s2);
        }
        assertNotFound(n);
        assertFound(s1);
        assertFound(s2);
        // state2 present in the expectation but absent in the store
        seed(BOB, s1, null);
        assertFalse(store.compareAndSwap(BOB, new RatchetUpdate(n, null, s1, s2, true, true, true)));
        assertStored(BOB, s1, null);
    }

    // ----------------------------------------------------------------------------- fingerprint index

    @Test
    public void emptyAndMalformedFingerprintLookups() throws IOException {
        assertNull(store.findByFingerprint(new byte[32]));
        store.provision(ALICE, RatchetState.EMPTY, false);
        assertStored(ALICE, RatchetState.EMPTY, null);
        assertNull(store.findByFingerprint(new byte[32]), "the empty fingerprint is never indexed");
        assertThrows(IllegalArgumentException.class, () -> store.findByFingerprint(new byte[31]));
        assertThrows(NullPointerException.class, () -> store.findByFingerprint(null));
    }

    @Test
    public void fingerprintIndexFollowsRandomUpdatesOfSeveralPeers() throws IOException {
        // A model of the pairs; after every update each fingerprint ever stored must be found iff
        // the model still holds it.
        Random rnd = new Random(42);
        StaticPublicKey[] peers = {ALICE, BOB, CAROL};
        Map<StaticPublicKey, RatchetPair> model = new HashMap<>();
        List<RatchetState> seen = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            StaticPublicKey peer = peers[rnd.nextInt(peers.length)];
            RatchetPair cur = model.getOrDefault(peer, RatchetPair.INITIAL);
            RatchetState n = st(cur.state1().chainLength() + 1);
            seen.add(n);
            RatchetUpdate u = switch (rnd.nextInt(4)) {
                case 0 -> new RatchetUpdate(n, cur.state1(), cur.state1(), cur.state2(), true, false, true); // K1 / X2 index 1
                case 1 -> new RatchetUpdate(n, null, cur.state1(), cur.state2(), true, true, true); // K2 / X3
                case 2 -> new RatchetUpdate(cur.state1(), null, cur.state1(), cur.state2(), false, false, true); // C1
                default -> cur.state2() == null ? new RatchetUpdate(n, null, cur.state1(), null, true, true, true)
                        : new RatchetUpdate(n, cur.state2(), cur.state1(), cur.state2(), true, true, false); // X2 index 2
            };
            assertTrue(store.compareAndSwap(peer, u), "step " + i);
            model.put(peer, new RatchetPair(u.new1(), u.new2()));
            for (RatchetState s : seen) {
                boolean held = model.values().stream().anyMatch(p -> s.equals(p.state1()) || s.equals(p.state2()));
                if (held) assertFound(s);
                else assertNotFound(s);
            }
        }
        for (StaticPublicKey p : peers) {
            if (model.containsKey(p)) assertStored(p, model.get(p).state1(), model.get(p).state2());
        }
    }

    @Test
    public void sameFingerprintForTwoPeersStaysIndexedUntilBothAreGone() throws IOException {
        byte[] otp = otp();
        RatchetState a = store.provisionOtp(ALICE, otp, false);
        RatchetState b = store.provisionOtp(BOB, otp, false);
        assertEquals(a, b);
        assertTrue(store.forget(ALICE));
        assertFound(a);
        assertTrue(store.compareAndSwap(BOB, new RatchetUpdate(st(2), null, b, null, true, true, true)));
        assertNotFound(a);
    }

    // ----------------------------------------------------------------------------- provisioning

    @Test
    public void otpProvisioningStoresStateAndNoneOnBothSides() throws IOException {
        byte[] otp = otp();
        RatchetState provisioned = store.provisionOtp(BOB, otp, false);
        assertEquals(RatchetState.fromOtp(otp), provisioned, "both peers derive the same state from the same OTP");
        assertEquals(1, provisioned.chainLength());
        assertStored(BOB, provisioned, null);
        assertFound(provisioned);
        // Bob's X3 from the OTP pair (spec §8.2: the CAS later deletes it)
        RatchetState n = st(2);
        assertTrue(store.compareAndSwap(BOB, new RatchetUpdate(n, null, provisioned, null, true, true, true)));
        assertNotFound(provisioned);
        assertFound(n);
    }

    @Test
    public void provisioningRefusesToReplaceARecordUnlessForced() throws IOException {
        RatchetState s1 = st(9), s2 = st(8);
        seed(ALICE, s1, s2);
        PeerExistsException e = assertThrows(PeerExistsException.class, () -> store.provisionOtp(ALICE, otp(), false));
        assertEquals(ALICE, e.peer());
        assertTrue(e.getMessage().contains(ALICE.toHex()), e.getMessage());
        assertStored(ALICE, s1, s2);
        RatchetState forced = store.provisionOtp(ALICE, otp(), true);
        assertStored(ALICE, forced, null);
        assertFound(forced);
        assertNotFound(s1);
        assertNotFound(s2);
        assertThrows(IllegalArgumentException.class, () -> store.provisionOtp(BOB, new byte[16], false), "short OTP");
        assertNull(store.load(BOB));
    }

    @Test
    public void pruneForgetsPeersNotWrittenSinceTheCutoffAndUnindexesThem() throws IOException {
        RatchetState a = st(3), b1 = st(5), b2 = st(4);
        seed(ALICE, a, null);
        seed(BOB, b1, b2);
        assertEquals(0, store.prune(Instant.now().minusSeconds(3600)), "both written just now");
        assertStored(ALICE, a, null);
        assertEquals(2, store.prune(Instant.now().plusSeconds(3600)));
        assertEquals(List.of(), store.peers());
        assertNull(store.load(ALICE));
        assertNotFound(a);
        assertNotFound(b1);
        assertNotFound(b2);
        assertThrows(NullPointerException.class, () -> store.prune(null));
        // a forgotten peer starts again from (EMPTY, none)
        assertTrue(store.compareAndSwap(ALICE, new RatchetUpdate(st(1), null, RatchetState.EMPTY, null, true, false, false)));
    }

    // ----------------------------------------------------------------------------- list / forget / close

    @Test
    public void listsPeersWithChainLengthsAndUpdateTimes() throws IOException {
        assertEquals(List.of(), store.peers());
        Instant before = Instant.now().minusSeconds(5);
        RatchetState a1 = st(3), a2 = st(2);
        seed(ALICE, a1, a2);
        store.provisionOtp(BOB, otp(), false);
        Instant after = Instant.now().plusSeconds(5);
        List<PeerRecord> list = store.peers();
        assertEquals(2, list.size());
        Map<StaticPublicKey, PeerRecord> byPeer = new HashMap<>();
        for (PeerRecord r : list) byPeer.put(r.peer(), r);
        assertEquals(3, byPeer.get(ALICE).chainLength1());
        assertEquals(2, byPeer.get(ALICE).chainLength2().orElseThrow());
        assertEquals(1, byPeer.get(BOB).chainLength1());
        assertTrue(byPeer.get(BOB).chainLength2().isEmpty());
        for (PeerRecord r : list) {
            assertTrue(!r.lastUpdated().isBefore(before) && !r.lastUpdated().isAfter(after), "plausible time " + r.lastUpdated());
        }
        // ordered by the key encoding
        assertTrue(java.util.Arrays.compareUnsigned(list.get(0).peer().toBytes(), list.get(1).peer().toBytes()) < 0);
    }

    @Test
    public void forgetRemovesRecordAndIndexOnlyForThatPeer() throws IOException {
        RatchetState a1 = st(3), a2 = st(2), b1 = st(5);
        seed(ALICE, a1, a2);
        seed(BOB, b1, null);
        assertTrue(store.forget(ALICE));
        assertFalse(store.forget(ALICE));
        assertNull(store.load(ALICE));
        assertNotFound(a1);
        assertNotFound(a2);
        assertStored(BOB, b1, null);
        assertFound(b1);
        assertEquals(1, store.peers().size());
        // after forgetting, the peer starts again from (EMPTY, none)
        seed(ALICE, st(1), null);
    }

    @Test
    public void closedStoreRefusesEveryOperation() throws IOException {
        seed(ALICE, st(1), null);
        store.close();
        assertThrows(IOException.class, () -> store.load(ALICE));
        assertThrows(IOException.class, () -> store.findByFingerprint(st(1).fingerprint()));
        assertThrows(IOException.class, () -> store.compareAndSwap(ALICE, new RatchetUpdate(st(1), null, RatchetState.EMPTY, null, true, true, true)));
        assertThrows(IOException.class, () -> store.peers());
        assertThrows(IOException.class, () -> store.forget(ALICE));
        store.close(); // idempotent
        store = null;
    }

    @Test
    public void toStringNeverShowsKeys() throws IOException {
        RatchetState s = st(1);
        seed(ALICE, s, null);
        String key = HexFormat.of().formatHex(s.key());
        String text = store + " " + store.peers() + " " + store.load(ALICE) + " " + store.findByFingerprint(s.fingerprint());
        assertFalse(text.contains(key), text);
        assertFalse(text.contains(key.substring(0, 16)), text);
    }

    // ----------------------------------------------------------------------------- persistence

    @Test
    public void statesSurviveReopen() throws IOException {
        RatchetState a1 = st(3), a2 = st(2), b1 = st(1);
        seed(ALICE, a1, a2);
        seed(BOB, b1, RatchetState.EMPTY);
        store.close();
        store = reopenStore();
        if (store == null) {
            assertNull(store, "an in-memory store does not persist");
            return;
        }
        assertStored(ALICE, a1, a2);
        assertStored(BOB, b1, RatchetState.EMPTY);
        assertFound(a1);
        assertFound(a2);
        assertFound(b1);
        assertEquals(2, store.peers().size());
        assertTrue(store.compareAndSwap(ALICE, new RatchetUpdate(st(4), a1, a1, a2, true, false, true)));
    }

    // ----------------------------------------------------------------------------- concurrency

    /**
     * 8 threads × 200 rounds: in each round every thread tries to advance the same stored pair (a K1
     * swap with its own new state); exactly one may win, and the winners form one linear chain.
     */
    @Test
    public void concurrentCasHasExactlyOneWinnerPerRound() throws Exception {
        runRounds(List.of(store), 8, 200);
    }

    /** Runs the rounds with threads spread over several store instances of the same storage. */
    public void runRounds(List<PeerRatchetStore> stores, int threads, int rounds) throws Exception {
        StaticPublicKey peer = CAROL;
        RatchetState[] expected1 = new RatchetState[rounds + 1];
        RatchetState[] expected2 = new RatchetState[rounds + 1];
        RatchetState[] winner = new RatchetState[rounds];
        AtomicInteger[] wins = new AtomicInteger[rounds];
        for (int r = 0; r < rounds; r++) wins[r] = new AtomicInteger();
        expected1[0] = RatchetState.EMPTY;
        expected2[0] = null;
        int[] round = {0};
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        CyclicBarrier barrier = new CyclicBarrier(threads, () -> {
            int r = round[0]++;
            // keep going from the stored pair even if a round went wrong, so all rounds run
            expected1[r + 1] = winner[r] != null ? winner[r] : expected1[r];
            expected2[r + 1] = winner[r] != null ? expected1[r] : expected2[r];
        });
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            PeerRatchetStore s = stores.get(t % stores.size());
            Thread th = new Thread(() -> {
                try {
                    for (int r = 0; r < rounds; r++) {
                        RatchetState c1 = expected1[r], c2 = expected2[r];
                        RatchetState mine = st(c1.chainLength() + 1);
                        if (s.compareAndSwap(peer, new RatchetUpdate(mine, c1, c1, c2, true, false, true))) {
                            wins[r].incrementAndGet();
                            winner[r] = mine;
                        }
                        barrier.await(60, TimeUnit.SECONDS);
                    }
                } catch (Throwable e) {
                    errors.add(e);
                    barrier.reset();
                }
            }, "cas-" + t);
            workers.add(th);
            th.start();
        }
        for (Thread th : workers) th.join(Duration.ofMinutes(2));
        if (!errors.isEmpty()) throw new AssertionError("worker failed: " + errors.peek(), errors.peek());
        for (int r = 0; r < rounds; r++) assertEquals(1, wins[r].get(), "winners in round " + r);
        for (int r = 0; r < rounds; r++) assertEquals(r + 1, winner[r].chainLength(), "linear chain at round " + r);
        RatchetPair last = stores.get(0).load(peer);
        assertEquals(winner[rounds - 1], last.state1());
        assertEquals(winner[rounds - 2], last.state2());
        assertSame(null, stores.get(0).findByFingerprint(winner[rounds - 3].fingerprint()));
    }
}
