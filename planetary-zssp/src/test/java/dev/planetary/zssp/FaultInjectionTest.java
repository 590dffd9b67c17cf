package dev.planetary.zssp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.zssp.AdversaryWorld.Peer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Faults a deployment meets: the ratchet store failing with an {@link java.io.IOException} at each
 * compare-and-swap point of the handshake and of the rekey (X2, X3, C1, K1, K2; spec §8.3) and at
 * the Hello's lookup; clocks jumping hours backwards and forwards; the MTU changing mid-session; a
 * peer restarting with and without its stored state. Each storage test runs in opportunistic mode
 * and in persistent mode (OTP-provisioned, π1–π4), asserts the failure was really hit, that nothing
 * changed while the store failed, and that once the store recovers the peers finish with one live
 * session each, stored ratchet pairs that share a state (no desynchronisation), and data flowing
 * both ways.
 */
class FaultInjectionTest {
    static final Settings SETTINGS = Settings.defaults();
    static final long HOUR = 3_600_000L;

    static AdversaryWorld.Peer[] pair(AdversaryWorld w, boolean persistent) {
        Peer alice = w.peer("alice", SETTINGS);
        Peer bob = w.peer("bob", SETTINGS);
        if (persistent) {
            alice.flags(true);
            bob.flags(true);
            RatchetState otp = SecurityFlagTest.otp("fault injection " + w.hashCode());
            alice.store.inner.put(bob.keys.publicKey(), new RatchetPair(otp, null));
            bob.store.inner.put(alice.keys.publicKey(), new RatchetPair(otp, null));
        }
        return new Peer[] {alice, bob};
    }

    static Session<String> establish(AdversaryWorld w, Peer alice, Peer bob) {
        Session<String> s = alice.open(bob);
        assertTrue(w.runUntil(() -> healthySessions(alice, bob), 15_000), "handshake did not complete");
        return s;
    }

    static boolean healthySessions(Peer alice, Peer bob) {
        Session<String> a = alice.sessionWith(bob);
        Session<String> b = bob.sessionWith(alice);
        return a != null && b != null && a.state() == Session.State.S2 && b.state() == Session.State.S2;
    }

    /** One live session each, ratchets in step, data both ways, nothing leaked. */
    static void assertHealthy(AdversaryWorld w, Peer alice, Peer bob) {
        assertTrue(w.runUntil(() -> healthySessions(alice, bob), 30_000), "no healthy session pair: " + alice.ctx + " / " + bob.ctx);
        assertNull(EngineChecks.ratchetsShareAState(alice.stored(bob), bob.stored(alice)));
        Session<String> a = alice.sessionWith(bob);
        Session<String> b = bob.sessionWith(alice);
        assertEquals(a.ratchet1, alice.stored(bob).state1(), "Alice's memory matches her store");
        assertEquals(b.ratchet1, bob.stored(alice).state1(), "Bob's memory matches his store");
        byte[] there = ("to bob " + w.now).getBytes();
        byte[] back = ("to alice " + w.now).getBytes();
        int aBefore = alice.payloads().size();
        int bBefore = bob.payloads().size();
        a.send(there);
        b.send(back);
        w.settle();
        assertArrayEquals(there, bob.payloads().get(bBefore));
        assertArrayEquals(back, alice.payloads().get(aBefore));
        assertEquals(0, alice.ctx.internalErrorCount() + bob.ctx.internalErrorCount());
        assertNull(EngineChecks.memory(alice.ctx, 2));
        assertNull(EngineChecks.memory(bob.ctx, 2));
    }

    static boolean sawStorageError(Peer p) {
        return p.results.stream().anyMatch(r -> r instanceof Received.Dropped<String> d && d.fault() == Fault.STORAGE_ERROR);
    }

    // ------------------------------------------------------------------ storage

    @ParameterizedTest(name = "persistent={0}")
    @ValueSource(booleans = {false, true})
    void storageFailureAtX2(boolean persistent) {
        AdversaryWorld w = new AdversaryWorld();
        Peer[] p = pair(w, persistent);
        Peer alice = p[0];
        Peer bob = p[1];
        RatchetPair before = alice.stored(bob);
        alice.store.failSaves = true;
        Session<String> a = alice.open(bob);
        w.deliverAll(); // Hello
        w.deliverAll(); // Response → Alice's CAS fails
        assertTrue(sawStorageError(alice));
        assertEquals(Session.State.A1, a.state(), "no state change on a storage error");
        assertEquals(before, alice.stored(bob));
        w.run(3_000); // resends keep failing
        assertTrue(alice.store.saveFailures >= 2);
        assertFalse(a.isEstablished());
        alice.store.failSaves = false;
        assertHealthy(w, alice, bob);
    }

    @ParameterizedTest(name = "persistent={0}")
    @ValueSource(booleans = {false, true})
    void storageFailureAtX3(boolean persistent) {
        AdversaryWorld w = new AdversaryWorld();
        Peer[] p = pair(w, persistent);
        Peer alice = p[0];
        Peer bob = p[1];
        RatchetPair before = bob.stored(alice);
        Session<String> a = alice.open(bob);
        w.deliverAll(); // Hello
        w.deliverAll(); // Response; Alice persists (new, old) and sends the Completion
        bob.store.failSaves = true;
        w.deliverAll(); // Completion → Bob's CAS fails
        assertTrue(sawStorageError(bob));
        assertEquals(1, bob.store.saveFailures);
        assertTrue(bob.ctx.sessions().isEmpty(), "no session without a durable ratchet");
        assertEquals(before, bob.stored(alice));
        assertEquals(Session.State.A3, a.state());
        w.run(3_000);
        bob.store.failSaves = false;
        assertHealthy(w, alice, bob); // Alice's A3 timeout → a new Hello carrying both her states (rf2 = the old one)
    }

    @ParameterizedTest(name = "persistent={0}")
    @ValueSource(booleans = {false, true})
    void storageFailureAtC1(boolean persistent) {
        AdversaryWorld w = new AdversaryWorld();
        Peer[] p = pair(w, persistent);
        Peer alice = p[0];
        Peer bob = p[1];
        Session<String> a = alice.open(bob);
        w.deliverAll();
        w.deliverAll();
        w.deliverAll(); // Completion: Bob's session in S1 sends C1
        RatchetPair before = alice.stored(bob);
        assertNotNull(before.state2(), "Alice holds a second state, so C1 triggers a CAS");
        alice.store.failSaves = true;
        w.deliverAll(); // C1 → Alice's CAS fails
        assertTrue(sawStorageError(alice));
        assertEquals(Session.State.A3, a.state());
        assertEquals(before, alice.stored(bob));
        w.run(3_000); // Bob resends C1 every second; each fails
        assertTrue(alice.store.saveFailures >= 2);
        alice.store.failSaves = false;
        assertHealthy(w, alice, bob);
        assertFalse(a.isExpired(), "the same session recovered");
    }

    /** A rekey started by Alice (I) with {@code failing}'s store down (Bob = R: K1 and C1 CAS; Alice = I: K2 CAS). */
    private static void rekeyWithFailingStore(boolean persistent, boolean failAtResponder) {
        AdversaryWorld w = new AdversaryWorld();
        Peer[] p = pair(w, persistent);
        Peer alice = p[0];
        Peer bob = p[1];
        Session<String> a = establish(w, alice, bob);
        Session<String> b = bob.sessionWith(alice);
        long chain = a.ratchetChainLength();
        Peer failing = failAtResponder ? bob : alice;
        RatchetPair before = failing.stored(failAtResponder ? alice : bob);
        failing.store.failSaves = true;
        a.wantRekey();
        w.run(3_000);
        assertTrue(failing.store.saveFailures >= 2, "the rekey's CAS was attempted and failed");
        assertTrue(sawStorageError(failing));
        assertEquals(before, failing.stored(failAtResponder ? alice : bob), "nothing persisted while failing");
        assertFalse(a.isExpired() || b.isExpired(), "a storage error does not kill the session");
        failing.store.failSaves = false;
        assertTrue(w.runUntil(() -> a.ratchetChainLength() == chain + 1 && b.ratchetChainLength() == chain + 1
                && a.state() == Session.State.S2 && b.state() == Session.State.S2, 10_000), "the rekey did not finish after recovery");
        assertHealthy(w, alice, bob);
        assertTrue(alice.sessionWith(bob) == a && bob.sessionWith(alice) == b, "the same sessions, rekeyed");
    }

    @ParameterizedTest(name = "persistent={0}")
    @ValueSource(booleans = {false, true})
    void storageFailureAtK1(boolean persistent) {
        rekeyWithFailingStore(persistent, true);
    }

    @ParameterizedTest(name = "persistent={0}")
    @ValueSource(booleans = {false, true})
    void storageFailureAtK2(boolean persistent) {
        rekeyWithFailingStore(persistent, false);
    }

    @ParameterizedTest(name = "persistent={0}")
    @ValueSource(booleans = {false, true})
    void storageReadFailureAtHelloAndOpen(boolean persistent) {
        AdversaryWorld w = new AdversaryWorld();
        Peer[] p = pair(w, persistent);
        Peer alice = p[0];
        Peer bob = p[1];
        alice.store.failReads = true;
        assertInstanceOf(java.io.IOException.class, org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> alice.open(bob)).getCause(),
                "open reports the failing store to the caller");
        alice.store.failReads = false;
        bob.store.failReads = true;
        Session<String> a = alice.open(bob);
        w.run(3_000);
        assertTrue(sawStorageError(bob), "the Hello's fingerprint lookup (persistent) or the Completion's restore (opportunistic) failed");
        assertFalse(a.isEstablished());
        bob.store.failReads = false;
        assertHealthy(w, alice, bob);
    }

    // ------------------------------------------------------------------ clocks

    /**
     * Clocks jump by hours, forwards and backwards, independently on each side, while a session is
     * up: the session survives (a forward jump past the rekey time starts a rekey, never an
     * expiry), rekeys started by either side complete, data flows, and a new handshake under the
     * jumped clocks works too.
     */
    @ParameterizedTest(name = "persistent={0}")
    @ValueSource(booleans = {false, true})
    void clockJumpsBackwardsAndForwardsByHours(boolean persistent) {
        AdversaryWorld w = new AdversaryWorld();
        Peer[] p = pair(w, persistent);
        Peer alice = p[0];
        Peer bob = p[1];
        Session<String> a = establish(w, alice, bob);
        Session<String> b = bob.sessionWith(alice);
        long[][] jumps = {{5 * HOUR, -3 * HOUR}, {-10 * HOUR, 0}, {0, 7 * HOUR}, {-2 * HOUR, -2 * HOUR}, {26 * HOUR, -26 * HOUR}};
        for (long[] j : jumps) {
            alice.clockOffset += j[0];
            bob.clockOffset += j[1];
            w.run(2_000);
            assertFalse(a.isExpired() || b.isExpired(), "expired after a clock jump of " + j[0] + "/" + j[1] + " ms");
            assertHealthy(w, alice, bob);
            long chain = a.ratchetChainLength();
            (chain % 2 == 0 ? a : b).wantRekey();
            assertTrue(w.runUntil(() -> a.ratchetChainLength() > chain && a.state() == Session.State.S2 && b.state() == Session.State.S2, 10_000),
                    "rekey after a clock jump");
        }
        a.close();
        b.close();
        establish(w, alice, bob);
        assertHealthy(w, alice, bob);
    }

    // ------------------------------------------------------------------ MTU

    /**
     * The path MTU changes mid-session, on each side independently (including below the 128-byte
     * minimum, which is raised to 128, and during a rekey): every payload arrives intact, fragmented
     * to the MTU in force when it was sent.
     */
    @Test
    void mtuChangesMidSession() {
        AdversaryWorld w = new AdversaryWorld();
        Peer alice = w.peer("alice", SETTINGS);
        Peer bob = w.peer("bob", SETTINGS);
        Session<String> a = establish(w, alice, bob);
        Session<String> b = bob.sessionWith(alice);
        Random r = new Random(3);
        int[] mtus = {1432, 128, 9000, 576, 100, 65507, 200, 1280};
        int sent = 0;
        for (int i = 0; i < mtus.length; i++) {
            alice.linkTo(bob).mtu = mtus[i];
            bob.linkTo(alice).mtu = mtus[(i + 3) % mtus.length];
            if (i == 4) a.wantRekey(); // a rekey in flight across MTU changes
            for (int size : new int[] {0, 1, 111, 112, 113, 1500, 5000}) {
                byte[] x = new byte[size];
                r.nextBytes(x);
                byte[] y = new byte[size];
                r.nextBytes(y);
                a.send(x);
                b.send(y);
                w.run(20);
                if (i == 4) { // change again with packets of this round in flight
                    alice.linkTo(bob).mtu = 300;
                }
                assertArrayEquals(x, bob.payloads().get(sent));
                assertArrayEquals(y, alice.payloads().get(sent));
                sent++;
            }
        }
        assertTrue(w.runUntil(() -> a.ratchetChainLength() == b.ratchetChainLength() && a.state() == Session.State.S2, 5_000));
        assertTrue(a.ratchetChainLength() >= 2, "the rekey across MTU changes completed");
        assertHealthy(w, alice, bob);
    }

    // ------------------------------------------------------------------ restarts

    @Test
    void peerRestartOpportunisticWithStateReconnectsWithoutDowngrade() {
        AdversaryWorld w = new AdversaryWorld();
        Peer[] p = pair(w, false);
        Peer alice = p[0];
        Peer bob = p[1];
        establish(w, alice, bob).close();
        bob.restart(true);
        alice.results.clear();
        establish(w, alice, bob);
        assertFalse(alice.saw(Event.DowngradedRatchetKey.class));
        assertTrue(bob.saw(Event.NewSession.class));
        assertFalse(bob.saw(Event.NewDowngradedSession.class));
        assertHealthy(w, alice, bob);
    }

    @Test
    void peerRestartOpportunisticWithoutStateReconnectsAndTheDowngradeIsDetected() {
        AdversaryWorld w = new AdversaryWorld();
        Peer[] p = pair(w, false);
        Peer alice = p[0];
        Peer bob = p[1];
        establish(w, alice, bob).close();
        bob.restart(false); // Bob lost his store: Alice sees the downgrade
        alice.results.clear();
        establish(w, alice, bob).close();
        assertTrue(alice.saw(Event.DowngradedRatchetKey.class), "Alice must be warned that Bob lost the ratchet");
        alice.restart(false); // now Alice loses hers: Bob sees the downgrade
        establish(w, alice, bob);
        assertTrue(bob.saw(Event.NewDowngradedSession.class), "Bob must be warned that Alice lost the ratchet");
        assertHealthy(w, alice, bob);
    }

    @Test
    void peerRestartPersistentWithStateReconnects() {
        AdversaryWorld w = new AdversaryWorld();
        Peer[] p = pair(w, true);
        Peer alice = p[0];
        Peer bob = p[1];
        establish(w, alice, bob).close();
        bob.restart(true);
        establish(w, alice, bob).close();
        alice.restart(true);
        establish(w, alice, bob);
        assertFalse(alice.saw(Event.DowngradedRatchetKey.class));
        assertFalse(bob.saw(Event.NewDowngradedSession.class));
        assertHealthy(w, alice, bob);
    }

    @Test
    void peerRestartPersistentWithoutStateIsRefused() {
        for (boolean responderLosesState : List.of(true, false)) {
            AdversaryWorld w = new AdversaryWorld();
            Peer[] p = pair(w, true);
            Peer alice = p[0];
            Peer bob = p[1];
            establish(w, alice, bob).close();
            (responderLosesState ? bob : alice).restart(false);
            alice.results.clear();
            bob.results.clear();
            long bobSent = w.sentBy(bob);
            Session<String> a = alice.open(bob);
            w.run(25_000); // two and a half Hello lifetimes
            assertFalse(a.isEstablished(), "persistent mode let a peer without its ratchet back in");
            assertFalse(alice.saw(Event.Established.class));
            assertEquals(bobSent, w.sentBy(bob), "π1: Bob stays silent (he lost the ratchet, or Alice did: no Hello fingerprint is known)");
            assertFalse(bob.saw(Event.NewSession.class) || bob.saw(Event.NewDowngradedSession.class));
        }
    }
}
