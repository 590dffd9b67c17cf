package dev.planetary.zssp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.zssp.AdversaryWorld.Packet;
import dev.planetary.zssp.AdversaryWorld.Peer;
import dev.planetary.zssp.crypto.AesGcm;
import dev.planetary.zssp.crypto.Bytes;
import dev.planetary.zssp.crypto.HeaderCipher;
import dev.planetary.zssp.crypto.KemKeyPair;
import dev.planetary.zssp.crypto.Kyber1024;
import dev.planetary.zssp.crypto.P384PublicKey;
import dev.planetary.zssp.crypto.SymmetricState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * The security properties of ZSSP's comparison table (whitepaper; spec §1.3, §5, §8, §9), one named
 * test each, on in-memory contexts ({@link AdversaryWorld}) where the test is the network and the
 * attacker: it records every datagram, replays, forges, steals keys and restarts peers.
 */
class SecurityPropertiesTest {
    static final Settings SETTINGS = Settings.defaults();

    static AdversaryWorld world() {
        return new AdversaryWorld();
    }

    /** Alice opens to Bob and the handshake runs to completion on a reliable network. */
    static Session<String> establish(AdversaryWorld w, Peer alice, Peer bob) {
        Session<String> s = alice.open(bob);
        assertTrue(w.runUntil(() -> s.state() == Session.State.S2 && bob.sessionWith(alice) != null
                && bob.sessionWith(alice).state() == Session.State.S2, 5_000), "handshake did not complete");
        return s;
    }

    /** Forces a rekey started by {@code initiator}'s side and runs it to completion. */
    static void rekey(AdversaryWorld w, Session<String> initiator, Session<String> responder) {
        long before = rekeys(w);
        long chain = initiator.ratchetChainLength();
        initiator.wantRekey();
        assertTrue(w.runUntil(() -> initiator.state() == Session.State.S2 && responder.state() == Session.State.S2
                && rekeys(w) >= before + 2 && initiator.ratchetChainLength() == chain + 1, 5_000), "rekey did not complete");
    }

    /** RekeyCompleted events seen by all peers. */
    static long rekeys(AdversaryWorld w) {
        long n = 0;
        for (Peer p : w.peers) n += p.results.stream().filter(r -> r instanceof Event.RekeyCompleted).count();
        return n;
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static RatchetState otp(String text) {
        return SecurityFlagTest.otp(text);
    }

    /** Everything observable about a peer's protocol state (for "no state change"). */
    static String snapshot(Peer p) {
        StringBuilder b = new StringBuilder();
        for (Session<String> s : p.ctx.sessions()) {
            b.append(s.state()).append(' ').append(System.identityHashCode(s.keys)).append(' ').append(s.packetsSent()).append(' ')
                    .append(s.ratchet1).append(' ').append(s.ratchet2).append(' ').append(s.timeoutAt).append(' ').append(s.resendAt).append('|');
        }
        b.append(" pending=").append(p.ctx.pendingHandshakes()).append(" kids=").append(p.ctx.kids.size());
        for (Peer q : p.links.keySet()) b.append(" stored[").append(q).append("]=").append(p.stored(q));
        return b.toString();
    }

    static boolean isHelloDatagram(Packet p) {
        return Bytes.getInt(p.bytes(), 0) == 0;
    }

    // ------------------------------------------------------------------ replays

    /**
     * Every datagram of a full session (handshake, data both ways, a rekey, more data), replayed to
     * its recipient afterwards, is dropped: no event, no change of any session, pending handshake,
     * key id or stored ratchet, and not a byte sent back. Hellos (kid 0) are the exception the
     * protocol documents (§5.2: Bob cannot tell a replayed Hello from a resend): a replayed Hello
     * produces no event and no session, only a pending handshake that can never complete (the
     * replayer lacks Alice's ephemeral keys) and expires; with the challenge on it is refused
     * outright ({@link #replayedSolvedHelloIsRejectedByTheChallengeWindow}).
     */
    @Test
    void replaysOfAnyPacketAreRejected() {
        AdversaryWorld w = world();
        Peer alice = w.peer("alice", SETTINGS);
        Peer bob = w.peer("bob", SETTINGS);
        Session<String> a = establish(w, alice, bob);
        Session<String> b = bob.sessionWith(alice);
        for (int i = 0; i < 5; i++) {
            a.send(new byte[i == 0 ? 3000 : 100 + i]); // one three-fragment payload
            b.send(new byte[200 + i]);
        }
        w.settle();
        rekey(w, a, b);
        a.send(text("after the rekey"));
        b.send(text("after the rekey, back"));
        w.settle();
        rekey(w, b, a); // Bob as rekey initiator too
        a.send(text("after the second rekey"));
        w.settle();
        assertEquals(7, bob.payloads().size());
        assertEquals(6, alice.payloads().size());

        List<Packet> recorded = List.copyOf(w.transcript);
        assertTrue(recorded.size() > 25);
        int sessionReplays = 0;
        for (Packet p : recorded) {
            if (isHelloDatagram(p)) continue;
            String before = snapshot(p.to()) + " / " + snapshot(p.from());
            int results = p.to().results.size();
            Received<String> r = w.deliver(p);
            assertInstanceOf(Received.Dropped.class, r, "replayed datagram accepted: " + r);
            assertTrue(w.flight.isEmpty(), "a replay got an answer");
            assertEquals(before, snapshot(p.to()) + " / " + snapshot(p.from()), "a replay changed state");
            assertEquals(results + 1, p.to().results.size());
            sessionReplays++;
        }
        assertTrue(sessionReplays > 20);

        // Hellos: the two fragments of each recorded Hello, replayed as a pair.
        List<Packet> hellos = recorded.stream().filter(SecurityPropertiesTest::isHelloDatagram).toList();
        assertFalse(hellos.isEmpty());
        int sessionsBefore = bob.ctx.sessions().size();
        for (Packet p : hellos) {
            Received<String> r = w.deliver(p);
            assertFalse(r instanceof Event, "a replayed Hello produced an event: " + r);
        }
        assertEquals(sessionsBefore, bob.ctx.sessions().size(), "no session from replayed Hellos");
        assertTrue(bob.ctx.pendingHandshakes() <= hellos.size());
        w.flight.clear(); // Bob's Responses go to the replayer, who cannot use them
        w.run(SETTINGS.pendingHandshakeTimeout() + 1_000);
        assertEquals(0, bob.ctx.pendingHandshakes(), "the pending handshakes of replayed Hellos expire");
        assertEquals(Session.State.S2, a.state());
        assertEquals(Session.State.S2, b.state());
    }

    /**
     * With the challenge on, a Hello carrying a solved challenge is accepted once; the same datagram
     * replayed (within or after the 32-slot window) is challenged again instead of answered, so the
     * responder does no public-key work for it.
     */
    @Test
    void replayedSolvedHelloIsRejectedByTheChallengeWindow() {
        AdversaryWorld w = world();
        Peer alice = w.peer("alice", SETTINGS);
        Peer bob = w.peer("bob", SETTINGS);
        alice.linkTo(bob).mtu = 9000; // one datagram per Hello
        bob.ctx.setChallengeEnabled(true);
        Session<String> a = alice.open(bob);
        w.deliverAll(); // Hello → challenge
        assertEquals(Fault.CHALLENGE_ISSUED, ((Received.Dropped<String>) bob.results.get(0)).fault());
        w.deliverAll(); // challenge → Alice solves it
        w.run(1_100); // the resend carries the solution and is answered; the handshake completes
        assertEquals(Session.State.S2, a.state());
        Packet solved = null;
        for (Packet p : w.transcript) if (p.from() == alice && isHelloDatagram(p)) solved = p; // the last Hello = the solved one
        long answered = bob.ctx.hellosAnswered();
        assertEquals(1, answered);
        for (int i = 0; i < 5; i++) {
            Received<String> r = w.deliver(Objects.requireNonNull(solved));
            assertEquals(Fault.CHALLENGE_ISSUED, assertInstanceOf(Received.Dropped.class, r).fault());
        }
        assertEquals(answered, bob.ctx.hellosAnswered(), "no Response, no pending handshake for a replayed solution");
        assertEquals(0, bob.ctx.pendingHandshakes());
    }

    /**
     * A flood of unsolved Hellos from one address gets {@link Settings#challengesPerAddress()}
     * challenges per second and then nothing (not even a challenge: no reply bytes, no MAC); the
     * honest initiator's next resend, a second later, is challenged again and completes.
     */
    @Test
    void challengesToOneAddressAreRateLimited() {
        AdversaryWorld w = world();
        Peer alice = w.peer("alice", SETTINGS);
        Peer bob = w.peer("bob", SETTINGS.withChallengesPerAddress(5));
        alice.linkTo(bob).mtu = 9000;
        bob.ctx.setChallengeEnabled(true);
        Session<String> a = alice.open(bob);
        Packet hello = w.flight.get(0);
        int issued = 0;
        int limited = 0;
        for (int i = 0; i < 50; i++) {
            Fault f = ((Received.Dropped<?>) w.deliver(hello)).fault();
            if (f == Fault.CHALLENGE_ISSUED) issued++;
            else if (f == Fault.CHALLENGE_LIMITED) limited++;
        }
        assertEquals(5, issued, "the burst");
        assertEquals(45, limited);
        assertEquals(5, w.sentBy(bob), "one challenge datagram per issued challenge, none for the rest");
        w.flight.clear(); // the attacker's challenges; Alice's Hello is still unanswered
        assertTrue(w.runUntil(() -> a.state() == Session.State.S2, 5_000), "the honest handshake completes after the budget refills");
    }

    // ------------------------------------------------------------------ forward secrecy

    /** What a passive attacker derives from a recorded handshake (all three packets one datagram each). */
    static final class Derivation {
        String failedAt;
        byte[] ct;
        byte[] nkAliceToBob;
        byte[] hkAliceToBob;
    }

    /**
     * Re-runs the responder's side of the recorded XK handshake as an attacker holding both static
     * private keys and the ratchet key: Bob's static key opens the Hello (es), Alice's gives the
     * "se" of the Completion. Only {@code ee} (needs an ephemeral private key) and the Kyber shared
     * secret (needs Alice's ephemeral Kyber private key, or {@code kem} = null to use {@code ss}) are
     * guessed. Stops at the first authentication failure.
     */
    static Derivation derive(byte[] x1d, byte[] x2d, byte[] x3d, StaticKeyPair bobStatic, StaticKeyPair aliceStatic, byte[] ee, KemKeyPair kem,
            byte[] ss, byte[] psk) {
        Derivation d = new Derivation();
        byte[] x1 = Arrays.copyOfRange(x1d, 16, x1d.length);
        SymmetricState n = SymmetricState.initialize(SymmetricState.Protocol.XK);
        n.mixHash(x1, 0, 4);
        n.mixHash(bobStatic.publicKey().toBytes());
        n.mixHash(x1, 4, 49);
        n.mixKey(Arrays.copyOfRange(x1, 4, 53));
        P384PublicKey eA = P384PublicKey.decode(x1, 4);
        n.mixKey(bobStatic.pair().agree(eA)); // es: Bob's static key suffices
        byte[] ekPublic = n.decryptAndHash(0, 0, x1, 53, 1568 + 16);
        if (ekPublic == null || n.decryptAndHash(0, 1, x1, 1637, 80) == null) {
            d.failedAt = "Hello";
            return d;
        }
        byte[][] hk = n.getAsk(SymmetricState.Ask.ASKH);
        d.hkAliceToBob = hk[1];
        byte[] x2d2 = x2d.clone();
        new HeaderCipher(hk[0]).decryptBlock(x2d2, 4); // header protection: Bob's hk_send (o1)
        byte[] x2 = Arrays.copyOfRange(x2d2, 16, x2d2.length);
        n.mixHash(x2, 0, 49);
        n.mixKey(Arrays.copyOfRange(x2, 0, 49));
        n.mixKey(ee); // ee: needs an ephemeral private key
        d.ct = n.decryptAndHash(1, 0, x2, 49, 1568 + 16);
        if (d.ct == null) {
            d.failedAt = "Response (ee)";
            return d;
        }
        n.mixKey(kem != null ? Kyber1024.instance().decapsulate(kem, d.ct) : ss); // ekem1
        n.mixKeyAndHash(psk);
        if (n.decryptAndHash(1, 0, x2, 1633, 20) == null) {
            d.failedAt = "Response (Kyber shared secret or ratchet)";
            return d;
        }
        byte[] x3d2 = x3d.clone();
        new HeaderCipher(hk[1]).decryptBlock(x3d2, 4);
        byte[] x3 = Arrays.copyOfRange(x3d2, 16, x3d2.length);
        byte[] sA = n.decryptAndHash(2, 1, x3, 0, 65);
        if (sA == null) {
            d.failedAt = "Completion";
            return d;
        }
        n.mixKey(aliceStatic.pair().agree(P384PublicKey.decode(x2, 0))); // se = DH(s_A, E_B): Alice's static key suffices
        if (n.decryptAndHash(2, 0, x3, 65, x3.length - 65) == null) {
            d.failedAt = "Completion identity";
            return d;
        }
        d.nkAliceToBob = n.split()[1];
        return d;
    }

    /** Decrypts a recorded single-fragment DATA datagram from Alice with derived keys; null if it fails. */
    static byte[] openData(byte[] datagram, byte[] hk, byte[] nk) {
        byte[] d = datagram.clone();
        new HeaderCipher(hk).decryptBlock(d, 4);
        if ((d[7] & 0xff) != 8) return null;
        long counter = Bytes.getLong(d, 8);
        byte[] out = new byte[d.length - 32];
        return new AesGcm(nk).open(8, counter, null, d, 16, d.length - 16, out, 0) ? out : null;
    }

    /**
     * A passive attacker recorded a whole session; later both static private keys are stolen (and
     * the ratchet key is known: it is the empty one here). It can open the Hello and the header
     * protection (those hang off the static keys), but every attempt to derive the session keys
     * without an ephemeral private key fails: each candidate for {@code ee} computable from the
     * stolen keys and public values fails the Response's tag, and with the true {@code ee} but no
     * Kyber private key the Kyber-bound tag fails (hybrid: breaking P-384 alone is not enough). The
     * positive control — the same derivation given Alice's ephemeral keys, taken from her memory
     * during the handshake — decrypts the recorded payload, so the failures are not a bug of the
     * derivation.
     */
    @Test
    void forwardSecrecyOfRecordedTrafficAfterStaticKeyTheft() {
        AdversaryWorld w = world();
        Peer alice = w.peer("alice", SETTINGS);
        Peer bob = w.peer("bob", SETTINGS);
        alice.linkTo(bob).mtu = 9000;
        bob.linkTo(alice).mtu = 9000;
        Session<String> a = alice.open(bob);
        Packet x1 = w.flight.get(0);
        w.deliverAll();
        Packet x2 = w.flight.get(0);
        Zeta.A1 offer = (Zeta.A1) a.zeta; // only for the positive control
        byte[] x2plain = x2.bytes().clone();
        a.headers.recv().decryptBlock(x2plain, 4); // (the attacker does the same with the header key it derives)
        P384PublicKey eB = P384PublicKey.decode(x2plain, 16);
        byte[] trueEe = offer.ephemeral().agree(eB);
        byte[] psk = new byte[32]; // empty ratchet: known to everyone
        Derivation partial = derive(x1.bytes(), x2.bytes(), x2.bytes(), bob.keys, alice.keys, trueEe, offer.kem(), null, psk);
        byte[] trueSs = Kyber1024.instance().decapsulate(offer.kem(), partial.ct);
        w.deliverAll();
        Packet x3 = w.flight.get(0);
        w.settle();
        assertEquals(Session.State.S2, a.state());
        byte[] secret = text("recorded secret payload");
        a.send(secret);
        Packet data = w.flight.get(w.flight.size() - 1);
        w.settle();
        assertArrayEquals(secret, bob.payloads().get(0));

        // The attacker now holds both static keys. Candidates for ee from everything it knows:
        P384PublicKey eA = P384PublicKey.decode(x1.bytes(), 16 + 4);
        List<byte[]> guesses = List.of(
                bob.keys.pair().agree(eA), // DH(s_B, E_A) = es
                alice.keys.pair().agree(eB), // DH(s_A, E_B) = se
                bob.keys.pair().agree(eB), // DH(s_B, E_B)
                alice.keys.pair().agree(eA), // DH(s_A, E_A)
                alice.keys.pair().agree(bob.keys.publicKey().point()), // static-static
                new byte[48]);
        for (byte[] guess : guesses) {
            Derivation d = derive(x1.bytes(), x2.bytes(), x3.bytes(), bob.keys, alice.keys, guess, null, new byte[32], psk);
            assertEquals("Response (ee)", d.failedAt, "a key derivable from static keys opened the Response");
            assertNull(d.nkAliceToBob);
        }
        // Even with the true ee (as if P-384 were broken) but without Kyber's private key: fails.
        for (byte[] ssGuess : new byte[][] {new byte[32], Arrays.copyOf(trueEe, 32), Arrays.copyOf(partial.ct, 32)}) {
            Derivation d = derive(x1.bytes(), x2.bytes(), x3.bytes(), bob.keys, alice.keys, trueEe, null, ssGuess, psk);
            assertEquals("Response (Kyber shared secret or ratchet)", d.failedAt);
        }
        // Whatever keys the attacker ends up guessing for the data, the payload does not open.
        Derivation bad = derive(x1.bytes(), x2.bytes(), x3.bytes(), bob.keys, alice.keys, guesses.get(0), null, new byte[32], psk);
        assertNull(openData(data.bytes(), bad.hkAliceToBob, new byte[32]));
        // Positive control: with Alice's ephemeral secrets the very same derivation decrypts the record.
        Derivation good = derive(x1.bytes(), x2.bytes(), x3.bytes(), bob.keys, alice.keys, trueEe, null, trueSs, psk);
        assertNull(good.failedAt);
        assertArrayEquals(secret, openData(data.bytes(), good.hkAliceToBob, good.nkAliceToBob));
        assertTrue(offer.ephemeral().isDestroyed(), "Alice wiped her ephemeral key after the Response (nothing left to steal)");
    }

    // ------------------------------------------------------------------ identity hiding

    /**
     * The initiator's static public key (its 49-byte encoding, and its 48-byte x-coordinate alone)
     * never appears in any datagram of a session: handshake, data both ways, rekeys started by
     * either side. It travels only encrypted inside the Completion.
     */
    @Test
    void identityHidingInitiatorStaticKeyNeverOnTheWire() {
        AdversaryWorld w = world();
        Peer alice = w.peer("alice", SETTINGS);
        Peer bob = w.peer("bob", SETTINGS);
        Session<String> a = establish(w, alice, bob);
        Session<String> b = bob.sessionWith(alice);
        a.send(new byte[5000]);
        b.send(new byte[5000]);
        w.settle();
        rekey(w, a, b);
        rekey(w, b, a);
        byte[] key = alice.keys.publicKey().toBytes();
        byte[] x = Arrays.copyOfRange(key, 1, 49);
        assertTrue(w.transcript.size() > 15);
        for (Packet p : w.transcript) {
            assertEquals(-1, indexOf(p.bytes(), key), "Alice's static key in a datagram");
            assertEquals(-1, indexOf(p.bytes(), x), "Alice's static key's x-coordinate in a datagram");
        }
    }

    /**
     * The Hello and the Response are independent of who the initiator is: two different initiators
     * (Alice and Carol) opening to Bob with the same randomness (seeded contexts) produce
     * byte-identical Hellos, and Bob (same seed) answers both with byte-identical Responses. So an
     * observer holding a candidate initiator key, even its private key, cannot test it against
     * these packets: nothing in them depends on it. (The Completion carries the key encrypted under
     * keys that need an ephemeral secret, see {@link #forwardSecrecyOfRecordedTrafficAfterStaticKeyTheft}.)
     * Control: a different seed gives different Hellos, so the equality is not vacuous.
     */
    @Test
    void identityHidingHelloAndResponseAreIndependentOfTheInitiator() {
        byte[][] alice = firstTwoPackets("alice", 11);
        byte[][] carol = firstTwoPackets("carol", 11);
        byte[][] other = firstTwoPackets("alice", 12);
        assertArrayEquals(alice[0], carol[0], "Hello depends on the initiator's identity");
        assertArrayEquals(alice[1], carol[1], "Response depends on the initiator's identity");
        assertFalse(Arrays.equals(alice[0], other[0]));
    }

    /** Hello and Response datagrams of {@code initiator} (own static key, context randomness from {@code rngSeed}) opening to a fixed Bob. */
    private static byte[][] firstTwoPackets(String initiator, long rngSeed) {
        AdversaryWorld w = world();
        w.deterministic = true;
        w.seed = 1;
        Peer bob = w.peer("bob", SETTINGS); // same key and context randomness in every world
        w.seed = 1000 + initiator.hashCode(); // a different static key per initiator name
        StaticKeyPair initiatorKey = StaticKeyPair.generate(new SimRandom(w.seed));
        w.seed = rngSeed; // the initiator's context randomness
        Peer i = w.peer(initiator, SETTINGS, initiatorKey);
        i.linkTo(bob).mtu = 9000;
        bob.linkTo(i).mtu = 9000;
        i.open(bob);
        byte[] hello = w.flight.get(0).bytes();
        w.deliverAll();
        byte[] response = w.flight.get(0).bytes();
        return new byte[][] {hello, response};
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    // ------------------------------------------------------------------ impersonation

    /**
     * Key-compromise impersonation: with Alice's static private key stolen, Mallory still cannot
     * pose as Bob <i>to Alice</i>. Alice's Hello is bound to Bob's static key (es); a responder
     * holding Alice's key (or any key but Bob's) cannot open it and sends nothing, and no Response
     * forged without Bob's key is accepted: Alice never leaves A1.
     */
    @Test
    void keyCompromiseImpersonationResisted() {
        AdversaryWorld w = world();
        Peer alice = w.peer("alice", SETTINGS);
        Peer bob = w.peer("bob", SETTINGS);
        Peer mallory = w.peer("mallory", SETTINGS, alice.keys); // a responder holding Alice's stolen key
        Peer mallory2 = w.peer("mallory2", SETTINGS);
        for (Peer x : w.peers) for (Peer y : w.peers) if (x != y) x.linkTo(y).mtu = 9000; // one datagram per packet
        Session<String> a = alice.open(bob);
        Packet hello = w.flight.remove(0);
        for (Peer m : List.of(mallory, mallory2)) { // the Hello redirected to the impostors
            Received<String> r = w.deliver(new Packet(alice, m, hello.bytes()));
            assertEquals(Fault.FAILED_AUTH, assertInstanceOf(Received.Dropped.class, r).fault());
            assertTrue(w.flight.isEmpty(), "an impostor could answer Alice's Hello");
        }
        // Mallory answers with Responses it can build: Bob's real Response to a different Hello of
        // Mallory's own (with Alice's key), and Responses to Alice's Hello re-addressed by the real
        // Bob are the only valid ones. A Response from any other handshake fails at Alice:
        Session<String> m = mallory.open(bob); // Mallory, as "Alice", talks to the real Bob
        w.deliverAll();
        Packet foreignResponse = w.flight.remove(0);
        byte[] forged = foreignResponse.bytes().clone();
        System.arraycopy(hello.bytes(), 16, forged, 0, 4); // aimed at Alice's Hello kid
        Received<String> r = w.deliver(new Packet(bob, alice, forged));
        assertInstanceOf(Received.Dropped.class, r);
        for (int i = 0; i < 3; i++) {
            byte[] random = new byte[forged.length];
            new java.util.Random(i).nextBytes(random);
            System.arraycopy(forged, 0, random, 0, 4);
            assertInstanceOf(Received.Dropped.class, w.deliver(new Packet(bob, alice, random)));
        }
        w.flight.clear();
        assertFalse(alice.saw(Event.Established.class));
        assertFalse(a.isEstablished());
        assertFalse(m.isEstablished());
    }

    /** Bob has a ratchet with Alice; Mallory stole Alice's static key (not her ratchet) and connects as Alice. */
    private static Peer[] compromiseAndImpersonate(boolean persistent) {
        AdversaryWorld w = world();
        Peer alice = w.peer("alice", SETTINGS);
        Peer bob = w.peer("bob", SETTINGS);
        alice.flags(persistent);
        bob.flags(persistent);
        RatchetState shared = otp("alice and bob");
        alice.store.inner.put(bob.keys.publicKey(), new RatchetPair(shared, null));
        bob.store.inner.put(alice.keys.publicKey(), new RatchetPair(shared, null));
        Session<String> real = establish(w, alice, bob);
        real.close();
        bob.sessionWith(alice).close();
        Peer mallory = w.peer("alice", SETTINGS, alice.keys); // same name (identity) and static key, empty store
        // Mallory picks whatever flags help her: accept any downgrade.
        w.run(100);
        bob.results.clear();
        long bobSent = w.sentBy(bob);
        mallory.open(bob);
        w.run(3_000);
        return new Peer[] {bob, mallory, w.sentBy(bob) == bobSent ? null : bob};
    }

    /**
     * Compromise-and-impersonate in persistent mode: Mallory has Alice's static key but not the
     * ratchet. Bob (π1) finds no known ratchet in her Hello and stays silent: zero bytes, no
     * session.
     */
    @Test
    void compromiseAndImpersonateRefusedInPersistentMode() {
        Peer[] r = compromiseAndImpersonate(true);
        Peer bob = r[0];
        Peer mallory = r[1];
        assertNull(r[2], "persistent Bob sent something to the impostor");
        assertNull(bob.sessionWith(mallory));
        assertFalse(mallory.saw(Event.Established.class));
    }

    /**
     * Compromise-and-impersonate in opportunistic mode: the impostor connects, but with the empty
     * ratchet although Bob stored one for Alice, so Bob reports {@code NewDowngradedSession}
     * (detected) and never a plain {@code NewSession}.
     */
    @Test
    void compromiseAndImpersonateDetectedInOpportunisticMode() {
        Peer[] r = compromiseAndImpersonate(false);
        Peer bob = r[0];
        Peer mallory = r[1];
        assertTrue(mallory.saw(Event.Established.class));
        assertTrue(bob.saw(Event.NewDowngradedSession.class), "the impostor's session was not flagged as downgraded");
        assertFalse(bob.saw(Event.NewSession.class), "accepted as a normal session");
    }

    /**
     * Double-compromise man in the middle: Mallory stole <i>both</i> static keys but has no ratchet.
     * Between Alice and herself-as-Bob, and herself-as-Alice and Bob, each half uses the empty
     * ratchet: in persistent mode both halves are refused (Alice's π2 refuses the Response, Bob's
     * π1 stays silent); in opportunistic mode both halves complete only as downgrades, which both
     * honest peers report.
     */
    private static void doubleCompromise(boolean persistent) {
        AdversaryWorld w = world();
        Peer alice = w.peer("alice", SETTINGS);
        Peer bob = w.peer("bob", SETTINGS);
        alice.flags(persistent);
        bob.flags(persistent);
        RatchetState shared = otp("alice and bob, mitm");
        alice.store.inner.put(bob.keys.publicKey(), new RatchetPair(shared, null));
        bob.store.inner.put(alice.keys.publicKey(), new RatchetPair(shared, null));
        Peer fakeBob = w.peer("bob", SETTINGS, bob.keys); // Mallory with Bob's key, facing Alice
        Peer fakeAlice = w.peer("alice", SETTINGS, alice.keys); // Mallory with Alice's key, facing Bob
        // Mallory's own flags are opportunistic: she accepts and offers anything that works.
        Session<String> a = alice.open(fakeBob);
        Session<String> m = fakeAlice.open(bob);
        w.run(1_500);
        if (persistent) {
            assertFalse(a.isEstablished(), "Alice accepted the man in the middle");
            assertFalse(alice.saw(Event.Established.class));
            assertFalse(alice.saw(Event.DowngradedRatchetKey.class));
            assertFalse(m.isEstablished());
            assertNull(bob.sessionWith(fakeAlice));
            assertEquals(0, w.sentBy(bob), "persistent Bob answered the man in the middle");
            assertEquals(new RatchetPair(shared, null), alice.stored(bob), "Alice's ratchet untouched");
            assertEquals(new RatchetPair(shared, null), bob.stored(alice), "Bob's ratchet untouched");
        } else {
            assertTrue(alice.saw(Event.DowngradedRatchetKey.class), "Alice must be warned");
            assertTrue(bob.saw(Event.NewDowngradedSession.class), "Bob must be warned");
            assertFalse(bob.saw(Event.NewSession.class));
        }
    }

    @Test
    void doubleCompromiseMitmRefusedInPersistentMode() {
        doubleCompromise(true);
    }

    @Test
    void doubleCompromiseMitmDetectedInOpportunisticMode() {
        doubleCompromise(false);
    }

    // ------------------------------------------------------------------ silence

    /**
     * "Silence is golden": a persistent-mode responder (π1–π4, challenge off) sends zero bytes for
     * Hellos it should not answer: Hello-shaped garbage, real Hellos mutated in transit, Hellos
     * addressed to another static key, Hellos from a stranger (empty ratchet), Hellos with a
     * ratchet it does not know, and replays of Alice's own Hellos of completed handshakes (their
     * ratchet has been replaced). Alice's current Hello is still answered (control).
     */
    @Test
    void silenceIsGolden() {
        AdversaryWorld w = world();
        Peer alice = w.peer("alice", SETTINGS);
        Peer bob = w.peer("bob", SETTINGS);
        Peer stranger = w.peer("stranger", SETTINGS);
        Peer nobody = w.peer("nobody", SETTINGS);
        alice.flags(true);
        bob.flags(true);
        RatchetState shared = otp("silence");
        alice.store.inner.put(bob.keys.publicKey(), new RatchetPair(shared, null));
        bob.store.inner.put(alice.keys.publicKey(), new RatchetPair(shared, null));
        for (int i = 0; i < 3; i++) establish(w, alice, bob).close(); // three handshakes: three recorded Hellos, each ratchet since replaced
        w.run(100);
        List<Packet> oldHellos = w.transcript.stream().filter(p -> p.from() == alice && isHelloDatagram(p)).toList();
        w.flight.clear();

        List<byte[][]> probes = new ArrayList<>();
        for (int i = 0; i < oldHellos.size(); i += 2) probes.add(new byte[][] {oldHellos.get(i).bytes(), oldHellos.get(i + 1).bytes()});
        stranger.open(bob); // empty ratchet
        probes.add(new byte[][] {w.flight.get(0).bytes(), w.flight.get(1).bytes()});
        w.flight.clear();
        stranger.store.inner.put(bob.keys.publicKey(), new RatchetPair(otp("unknown to bob"), null));
        stranger.open(bob); // a ratchet Bob does not know
        probes.add(new byte[][] {w.flight.get(0).bytes(), w.flight.get(1).bytes()});
        w.flight.clear();
        alice.open(nobody); // a real Hello, but for another static key
        probes.add(new byte[][] {w.flight.get(0).bytes(), w.flight.get(1).bytes()});
        w.flight.clear();
        alice.open(bob); // Alice's current Hello, mutated in transit
        byte[][] current = {w.flight.get(0).bytes(), w.flight.get(1).bytes()};
        w.flight.clear();
        for (int pos : new int[] {16 + 4 + 10, 16 + 600, 16 + 1700}) {
            byte[][] m = {current[0].clone(), current[1].clone()};
            byte[] target = pos < m[0].length ? m[0] : m[1];
            target[pos < m[0].length ? pos : pos - m[0].length + 16] ^= 1;
            probes.add(m);
        }
        java.util.Random rnd = new java.util.Random(5);
        for (int i = 0; i < 3; i++) { // Hello-shaped garbage
            byte[] g = new byte[16 + 1749];
            rnd.nextBytes(g);
            Arrays.fill(g, 0, 4, (byte) 0);
            g[4] = 0;
            g[5] = 1;
            g[6] = 0;
            g[7] = 0;
            probes.add(new byte[][] {g});
        }
        long bobSent = w.sentBy(bob);
        int answered = 0;
        for (byte[][] probe : probes) {
            for (byte[] d : probe) w.deliver(new Packet(stranger, bob, d));
            if (!w.flight.isEmpty()) answered++;
            w.flight.clear();
        }
        assertEquals(0, answered, "persistent Bob answered an unauthenticated, unknown-ratchet or replayed Hello");
        assertEquals(bobSent, w.sentBy(bob), "zero bytes");
        assertEquals(0, bob.ctx.pendingHandshakes());
        assertTrue(probes.size() >= 11);
        // Control: Alice's current, unmodified Hello is answered.
        for (byte[] d : current) w.deliver(new Packet(alice, bob, d));
        assertFalse(w.flight.isEmpty(), "the legitimate Hello gets its Response");
        assertEquals(1, bob.ctx.pendingHandshakes());
    }

    // ------------------------------------------------------------------ ratcheted forward secrecy

    /** Runs {@code sessions} handshakes in a seeded world whose first ratchet is the OTP {@code first}; returns the last session's first DATA datagram. */
    private static byte[] chain(String first, int sessions, int tamperAfter) {
        AdversaryWorld w = world();
        w.deterministic = true;
        w.seed = 77;
        Peer alice = w.peer("alice", SETTINGS);
        Peer bob = w.peer("bob", SETTINGS);
        alice.linkTo(bob).mtu = 9000;
        bob.linkTo(alice).mtu = 9000;
        RatchetState r = otp(first);
        alice.store.inner.put(bob.keys.publicKey(), new RatchetPair(r, null));
        bob.store.inner.put(alice.keys.publicKey(), new RatchetPair(r, null));
        byte[] last = null;
        for (int i = 0; i < sessions; i++) {
            if (i == tamperAfter) { // one earlier ratchet changed: same fingerprint and chain, different key
                RatchetState s1 = bob.stored(alice).state1();
                byte[] k = s1.key();
                k[0] ^= 1;
                bob.store.inner.put(alice.keys.publicKey(), new RatchetPair(new RatchetState(k, s1.fingerprint(), s1.chainLength()), null));
            }
            Session<String> s = alice.open(bob);
            if (!w.runUntil(() -> s.state() == Session.State.S2, 1_000)) return null;
            s.send(text("same payload"));
            last = w.flight.get(w.flight.size() - 1).bytes();
            w.settle();
            s.close();
            w.run(10);
        }
        return last;
    }

    /**
     * Ratcheted forward secrecy: each handshake mixes the previous handshake's ratchet key in
     * (psk2), so a later session's keys depend on every earlier ratchet. Two seeded worlds that
     * differ only in the first ratchet produce different keys three sessions later (the same
     * payload at the same counter encrypts differently), while identical worlds agree byte for
     * byte (control). Changing one earlier ratchet key on one side (same fingerprint, so the Hello
     * still finds it) makes the next session impossible to complete, in persistent and in
     * opportunistic mode.
     */
    @Test
    void ratchetedForwardSecrecy() {
        byte[] a = chain("first ratchet A", 3, -1);
        byte[] again = chain("first ratchet A", 3, -1);
        byte[] b = chain("first ratchet B", 3, -1);
        assertNotNull(a);
        assertArrayEquals(a, again, "control: the seeded world is deterministic");
        assertEquals(a.length, b.length);
        assertFalse(Arrays.equals(Arrays.copyOfRange(a, 16, a.length), Arrays.copyOfRange(b, 16, b.length)),
                "the third session's keys do not depend on the first ratchet");
        assertNull(chain("first ratchet A", 3, 1), "a session completed although an earlier ratchet was changed");
    }

    /** The rekey's psk0 is the current ratchet key: a session whose ratchet was altered on one side cannot rekey (it expires). */
    @Test
    void ratchetedForwardSecrecyRekeyNeedsTheCurrentRatchet() {
        AdversaryWorld w = world();
        Peer alice = w.peer("alice", SETTINGS);
        Peer bob = w.peer("bob", SETTINGS);
        Session<String> a = establish(w, alice, bob);
        Session<String> b = bob.sessionWith(alice);
        byte[] k = b.ratchet1.key();
        k[5] ^= 0x40;
        b.ratchet1 = new RatchetState(k, b.ratchet1.fingerprint(), b.ratchet1.chainLength());
        a.wantRekey();
        w.run(3_000);
        assertTrue(b.isExpired(), "Bob accepted a K1 under a different ratchet");
        assertFalse(alice.saw(Event.RekeyCompleted.class));
    }
}
