package dev.planetary.zssp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.zssp.crypto.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The four security flags and the downgrade rules (spec §1.3, §8.5), packet by packet: each test
 * builds Alice and Bob on a tapped {@link SimNetwork}, delivers the handshake by hand and checks the
 * results, the datagrams each side sent, the sessions and the stored ratchets.
 */
class SecurityFlagTest {

    /** Two (or three) nodes whose datagrams are collected, not delivered, so the test delivers them. */
    static final class Bench {
        final SimNetwork net = new SimNetwork(4242);
        final List<SimNetwork.Datagram> flight = new ArrayList<>();
        final SimNetwork.Node alice;
        final SimNetwork.Node bob;
        final List<Received<String>> atAlice = new ArrayList<>();
        final List<Received<String>> atBob = new ArrayList<>();

        Bench() {
            net.tap = flight::add;
            Settings st = Settings.defaults();
            alice = net.node("alice", st);
            bob = net.node("bob", st);
            net.connect(alice, bob, 9_000); // every packet one datagram
            net.listener = (at, from, r) -> (at == alice ? atAlice : atBob).add(r);
        }

        /** Delivers every datagram in flight now (not those they cause); returns the last result. */
        Received<String> deliverAll() {
            Received<String> last = null;
            List<SimNetwork.Datagram> now = new ArrayList<>(flight);
            flight.clear();
            for (SimNetwork.Datagram d : now) last = net.deliver(d);
            return last;
        }

        /** Runs the exchange to completion (deliver until quiet). */
        void settle() {
            for (int i = 0; i < 20 && !flight.isEmpty(); i++) deliverAll();
        }

        long sentBy(SimNetwork.Node n) {
            long c = 0;
            for (SimNetwork.Link l : n.links.values()) c += l.datagrams;
            return c;
        }

        void store(SimNetwork.Node at, SimNetwork.Node peer, RatchetState s1, RatchetState s2) {
            at.store.put(peer.keys.publicKey(), new RatchetPair(s1, s2));
        }
    }

    static RatchetState otp(String text) {
        byte[] b = new byte[32];
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(t, 0, b, 0, Math.min(32, t.length));
        return RatchetState.fromOtp(b);
    }

    static int helloKid(SimNetwork.Datagram d) {
        return Bytes.getInt(d.bytes(), 16); // X1 starts with kid_A, right after the (unprotected) header
    }

    // ------------------------------------------------------------------ π1

    @Test
    void pi1DropsAHelloWithAnUnknownRatchetSilently() {
        Bench b = new Bench();
        b.bob.pi1 = true;
        b.store(b.alice, b.bob, otp("known only to alice"), null);
        b.alice.open(b.bob);
        long bobSent = b.sentBy(b.bob);
        Received<String> r = b.deliverAll();
        Received.Dropped<String> d = assertInstanceOf(Received.Dropped.class, r);
        assertEquals(Fault.FAILED_AUTH, d.fault());
        assertEquals(bobSent, b.sentBy(b.bob), "π1: Bob must not answer");
        assertEquals(0, b.bob.ctx.pendingHandshakes());
        assertTrue(b.flight.isEmpty());
    }

    @Test
    void pi1DropsTheEmptyRatchetToo() {
        Bench b = new Bench();
        b.bob.pi1 = true;
        b.alice.open(b.bob); // Alice has nothing stored: both fingerprints zero
        assertInstanceOf(Received.Dropped.class, b.deliverAll());
        assertEquals(0, b.sentBy(b.bob));
        assertEquals(0, b.bob.ctx.pendingHandshakes());
    }

    @Test
    void withoutPi1AnUnknownRatchetIsAnsweredWithTheEmptyOne() {
        Bench b = new Bench();
        b.store(b.alice, b.bob, otp("known only to alice"), null);
        b.alice.open(b.bob);
        assertSame(Received.pending(), b.deliverAll());
        assertEquals(1, b.bob.ctx.pendingHandshakes());
        assertEquals(1, b.flight.size(), "Bob answered with a Response");
        assertEquals(1653 + 16, b.flight.get(0).bytes().length);
    }

    @Test
    void pi1AcceptsTheSecondFingerprint() { // §13 D2: rf2 is looked up (the reference looks up rf1 twice)
        Bench b = new Bench();
        b.bob.pi1 = true;
        RatchetState shared = otp("shared");
        b.store(b.alice, b.bob, otp("newer, unknown to bob"), shared);
        b.store(b.bob, b.alice, shared, null);
        b.alice.open(b.bob);
        assertSame(Received.pending(), b.deliverAll());
        assertEquals(1, b.bob.ctx.pendingHandshakes());
    }

    // ------------------------------------------------------------------ π2

    @Test
    void pi2RefusesAResponseOnlyTheZeroKeyDecryptsAndRegeneratesTheHello() {
        Bench b = new Bench();
        b.alice.pi2 = true;
        b.store(b.alice, b.bob, otp("alice's state"), null); // Bob knows nothing: he answers with the zero key
        Session<String> s = b.alice.open(b.bob);
        int firstKid = helloKid(b.flight.get(0));
        b.deliverAll(); // Hello → Bob
        Received<String> r = b.deliverAll(); // Response → Alice
        Received.Dropped<String> d = assertInstanceOf(Received.Dropped.class, r);
        assertEquals(Fault.FAILED_AUTH, d.fault());
        assertEquals(Session.State.A1, s.state(), "the Hello is regenerated");
        assertEquals(1, b.flight.size(), "a new Hello went out at once");
        assertNotEquals(firstKid, helloKid(b.flight.get(0)), "with a new key id");
        assertEquals(new RatchetPair(otp("alice's state"), null), b.alice.stored(b.bob), "nothing persisted");
        assertTrue(b.atAlice.stream().noneMatch(x -> x instanceof Event.DowngradedRatchetKey));
    }

    @Test
    void withoutPi2TheZeroKeyIsAcceptedWithADowngradeWarning() {
        Bench b = new Bench();
        b.store(b.alice, b.bob, otp("alice's state"), null);
        Session<String> s = b.alice.open(b.bob);
        b.deliverAll();
        Received<String> r = b.deliverAll();
        assertInstanceOf(Event.DowngradedRatchetKey.class, r);
        assertEquals(Session.State.A3, s.state());
        b.settle();
        assertEquals(Session.State.S2, s.state());
        assertTrue(b.atBob.stream().anyMatch(x -> x instanceof Event.NewSession), "Bob stored nothing for Alice: not a downgrade on his side");
        assertEquals(b.alice.stored(b.bob).state1(), b.bob.stored(b.alice).state1());
        assertEquals(1, b.alice.stored(b.bob).state1().chainLength(), "a chain restarted from the empty state");
    }

    // ------------------------------------------------------------------ π3

    @Test
    void pi3RejectsTheEmptyRatchetWhenStatesAreStored() {
        Bench b = new Bench();
        b.bob.pi3 = true;
        RatchetState bobsView = otp("bob's state for alice");
        b.store(b.bob, b.alice, bobsView, null);
        Session<String> s = b.alice.open(b.bob); // Alice lost her storage: empty ratchet
        b.settle();
        assertTrue(s.isExpired());
        assertTrue(b.atAlice.stream().anyMatch(x -> x instanceof Event.Rejected), "D tells Alice (π4 false)");
        assertTrue(b.bob.ctx.sessions().isEmpty());
        assertEquals(new RatchetPair(bobsView, null), b.bob.stored(b.alice), "Bob's storage untouched");
    }

    @Test
    void withoutPi3TheEmptyRatchetIsAcceptedAsADowngradedSession() {
        Bench b = new Bench();
        RatchetState bobsView = otp("bob's state for alice");
        b.store(b.bob, b.alice, bobsView, null);
        Session<String> s = b.alice.open(b.bob);
        b.settle();
        assertEquals(Session.State.S2, s.state());
        assertTrue(b.atBob.stream().anyMatch(x -> x instanceof Event.NewDowngradedSession), "π3 false: NewDowngradedSession");
        assertTrue(b.atBob.stream().noneMatch(x -> x instanceof Event.NewSession));
        assertEquals(b.alice.stored(b.bob).state1(), b.bob.stored(b.alice).state1());
    }

    @Test
    void withoutPi3ANonEmptyRatchetOfAnotherPeerIsStillRejected() {
        Bench b = new Bench();
        SimNetwork.Node carol = b.net.node("carol", Settings.defaults());
        RatchetState carols = otp("bob and carol");
        b.store(b.bob, carol, carols, null); // Bob finds it by fingerprint, but it is Carol's
        b.store(b.bob, b.alice, otp("bob's state for alice"), null);
        b.store(b.alice, b.bob, carols, null); // Alice (somehow) presents Carol's ratchet
        Session<String> s = b.alice.open(b.bob);
        b.settle();
        assertTrue(s.isExpired(), "rejected although π3 is false: only the empty ratchet may be a downgrade");
        assertTrue(b.atAlice.stream().anyMatch(x -> x instanceof Event.Rejected));
        assertTrue(b.atBob.stream().anyMatch(x -> x instanceof Received.Dropped<String> d && d.fault() == Fault.REJECTED));
        assertTrue(b.bob.ctx.sessions().isEmpty());
    }

    // ------------------------------------------------------------------ π4 and check_accept_session

    @Test
    void pi4RejectionSendsZeroBytes() {
        Bench b = new Bench();
        b.bob.accept = false;
        b.bob.pi4 = true;
        Session<String> s = b.alice.open(b.bob);
        b.deliverAll(); // Hello
        b.deliverAll(); // Response
        long bobSent = b.sentBy(b.bob);
        Received<String> r = b.deliverAll(); // Completion
        assertEquals(Fault.REJECTED, assertInstanceOf(Received.Dropped.class, r).fault());
        assertEquals(1, b.bob.acceptCalls);
        assertEquals(bobSent, b.sentBy(b.bob), "π4: not a single datagram");
        assertTrue(b.flight.isEmpty());
        assertEquals(Session.State.A3, s.state(), "Alice learns nothing");
        assertEquals(0, b.bob.ctx.pendingHandshakes());
        assertTrue(b.bob.ctx.sessions().isEmpty());
        assertEquals(RatchetPair.INITIAL, b.bob.stored(b.alice));
    }

    @Test
    void withoutPi4RefusalSendsDAndTheInitiatorSeesRejected() {
        Bench b = new Bench();
        b.bob.accept = false; // check_accept_session refuses outright ("π3 = ⊥")
        Session<String> s = b.alice.open(b.bob);
        b.deliverAll();
        b.deliverAll();
        long bobSent = b.sentBy(b.bob);
        b.deliverAll(); // Completion → D
        assertEquals(bobSent + 1, b.sentBy(b.bob), "exactly one D");
        assertEquals(16 + 16, b.flight.get(0).bytes().length);
        Received<String> r = b.deliverAll();
        assertInstanceOf(Event.Rejected.class, r);
        assertTrue(s.isExpired());
        assertEquals(0, b.alice.ctx.kids.size(), "an expired session holds no key ids");
        assertTrue(b.bob.ctx.sessions().isEmpty());
    }

    @Test
    void aReplayedDIsIgnored() {
        Bench b = new Bench();
        b.bob.accept = false;
        Session<String> s = b.alice.open(b.bob);
        b.deliverAll();
        b.deliverAll();
        b.deliverAll();
        SimNetwork.Datagram d = b.flight.get(0);
        b.deliverAll();
        assertTrue(s.isExpired());
        Received<String> again = b.net.deliver(d);
        assertInstanceOf(Received.Dropped.class, again);
    }

    // ------------------------------------------------------------------ OTP (§8.2)

    @Test
    void otpProvisionedFirstSessionInPersistentMode() {
        Bench b = new Bench();
        b.alice.flags(true);
        b.bob.flags(true);
        RatchetState first = otp("a one-time password of 256 bits!");
        b.store(b.alice, b.bob, first, null);
        b.store(b.bob, b.alice, first, null);
        Session<String> s = b.alice.open(b.bob);
        b.settle();
        assertEquals(Session.State.S2, s.state());
        assertTrue(b.atBob.stream().anyMatch(x -> x instanceof Event.NewSession));
        assertTrue(b.atAlice.stream().noneMatch(x -> x instanceof Event.DowngradedRatchetKey));
        RatchetPair a = b.alice.stored(b.bob);
        assertEquals(a, b.bob.stored(b.alice), "both sides hold the same pair");
        assertEquals(2, a.state1().chainLength(), "one step past the OTP state");
        assertNull(a.state2(), "the OTP state is forgotten once confirmed");
        assertNull(b.bob.store.findByFingerprint(first.fingerprint()), "and unindexed");
    }

    @Test
    void otpInitiatorDisallowsDowngradeUntilEstablished() {
        Bench b = new Bench();
        b.alice.pi2 = true; // §8.2: required while the OTP session is set up
        RatchetState first = otp("a one-time password of 256 bits!");
        b.store(b.alice, b.bob, first, null); // Bob was not provisioned (or is an impostor without the OTP)
        Session<String> s = b.alice.open(b.bob);
        for (int round = 0; round < 5; round++) {
            b.deliverAll(); // Hello → Bob answers with the zero key
            b.deliverAll(); // Response → refused, a new Hello
        }
        assertEquals(Session.State.A1, s.state());
        assertTrue(b.atAlice.stream().noneMatch(x -> x instanceof Event.DowngradedRatchetKey || x instanceof Event.Established));
        assertEquals(new RatchetPair(first, null), b.alice.stored(b.bob));
        assertFalse(b.bob.ctx.sessions().stream().anyMatch(Session::isEstablished));
    }
}
