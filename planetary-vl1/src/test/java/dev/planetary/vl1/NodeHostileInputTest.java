package dev.planetary.vl1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Address;
import dev.planetary.identity.Identity;
import dev.planetary.identity.SecretIdentity;
import dev.planetary.vl1.engine.IdentityBlob;
import dev.planetary.vl1.sim.LinkProfile;
import dev.planetary.vl1.sim.Simulator;
import dev.planetary.zssp.StaticKeyPair;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Hostile input against the engine (VL.md §3.2, §3.4, §3.9, §5.3): every case has a defined
 * outcome — a drop counted by reason, an ERROR where the spec says — and never an exception.
 */
class NodeHostileInputTest {

    /** A member target without roots and one raw attacker on the simulated WAN. */
    static final class Arena {
        final Simulator sim = new Simulator(42);
        final SimNode target;
        final RawPeer attacker;

        Arena(StaticKeyPair attackerKeys) {
            sim.defaultProfile(LinkProfile.latency(10));
            // its own verifier: the shared one has seen the genuine identities (a signature is cached per fingerprint)
            target = new SimNode("t", sim.publicHost("t", "203.0.113.1"), 9993, Pool.get(3), l -> NodeConfig.member(l, List.of()),
                    new dev.planetary.identity.IdentityVerifier());
            attacker = new RawPeer(sim.publicHost("x", "198.18.0.1"), attackerKeys);
        }

        void open(byte[] blob) {
            attacker.open(Pool.get(3).identity().staticPublicKey(), blob, target.local);
            sim.runUntil(sim.now() + 3_000);
        }

        long count(NodeCounter c) {
            return target.node.count(c);
        }
    }

    static byte[] blob(SecretIdentity id, Address claimed) {
        return new IdentityBlob(claimed, id.identity()).encode();
    }

    @Test
    void malformedIdentityBlobsAreRefusedAndCounted() {
        Arena a = new Arena(StaticKeyPair.generate(new SeededRandom(7)));
        SecretIdentity other = Pool.get(5);
        byte[] valid = blob(other, other.address());
        byte[] wrongVersion = valid.clone();
        wrongVersion[0] = 2;
        byte[] badTlvLength = valid.clone();
        badTlvLength[valid.length - 1] = 5;
        byte[] mandatoryTlv = Arrays.copyOf(valid, valid.length + 3);
        mandatoryTlv[valid.length - 1] = 3; // T = 3: one TLV of type 0x00 (< 0x80: not allowed in version 1)
        List<byte[]> blobs = List.of(new SplittableRandomBytes(1).next(300), new byte[0], Arrays.copyOf(valid, 100), wrongVersion, badTlvLength, mandatoryTlv,
                valid /* a valid blob, but its K_dh is not the attacker's static key: step 2 */);
        for (byte[] b : blobs) {
            a.open(b);
            assertTrue(a.attacker.rejected, "the initiator is told (Session-Rejected)");
            assertFalse(a.attacker.established);
        }
        assertEquals(blobs.size(), a.count(NodeCounter.BAD_IDENTITY_BLOB));
        assertEquals(0, a.target.node.tableSizes().get("peers"));
        assertEquals(0, a.target.node.zsspInternalErrors());
    }

    @Test
    void forgedSelfSignatureIsRefusedAndTheFingerprintDenied() {
        SecretIdentity id = Pool.get(5);
        Arena a = new Arena(id.staticKeyPair());
        byte[] b = blob(id, id.address());
        b[1 + 5 + Identity.SIZE - 1] ^= 1; // last byte of the self-signature
        assertTrue(Identity.decode(Arrays.copyOfRange(b, 6, 6 + Identity.SIZE)).isOk(), "the identity still parses");
        a.open(b);
        assertTrue(a.attacker.rejected);
        assertEquals(1, a.count(NodeCounter.BAD_SELF_SIGNATURE));
        a.open(blob(id, id.address())); // the genuine blob from the same key is denied for 10 min (§2.6)
        assertTrue(a.attacker.rejected);
        assertEquals(1, a.count(NodeCounter.DENIED));
    }

    @Test
    void wrongClaimedAddressFailsVerificationAndBindsNothing() {
        SecretIdentity id = Pool.get(5);
        Address stolen = Pool.get(6).address();
        Arena a = new Arena(id.staticKeyPair());
        a.open(blob(id, stolen)); // accepted as a hint; the PoW / derived-address check (§2.6) fails
        a.sim.runUntil(a.sim.now() + 2_000);
        assertEquals(1, a.count(NodeCounter.VERIFICATION_FAILED));
        assertTrue(a.target.node.cachedFingerprint(stolen).isEmpty(), "the stolen address is not bound");
        assertFalse(a.target.node.hasSession(id.fingerprint()), "the session was closed");
        a.open(blob(id, id.address()));
        assertTrue(a.attacker.rejected, "denied for 10 min");
        assertEquals(1, a.count(NodeCounter.DENIED));
    }

    @Test
    void aVouchedIdentityBindsOnlyAFreeAddress() { // §2.7: a controller's format-1 GATHER record
        Arena a = new Arena(Pool.get(5).staticKeyPair());
        Node n = a.target.node;
        Identity x = Pool.get(5).identity(), y = Pool.get(6).identity();
        assertTrue(n.vouched(x, Pool.get(5).address()));
        assertEquals(x.fingerprint(), n.cachedFingerprint(Pool.get(5).address()).orElseThrow(), "bound without WHOIS or PoW");
        assertTrue(n.vouched(x, Pool.get(5).address()), "the same binding again");
        assertFalse(n.vouched(y, Pool.get(5).address()), "a bound address is never rebound");
        assertFalse(n.vouched(x, Pool.get(6).address()), "an identity cached at another address is not bound twice");
        assertTrue(n.cachedFingerprint(Pool.get(6).address()).isEmpty());
        assertFalse(n.vouched(Pool.get(3).identity(), n.address()), "never the own address");
    }

    @Test
    void truncatedOversizedUnknownAndMisdirectedMessagesInALiveSession() {
        SecretIdentity id = Pool.get(5);
        Arena a = new Arena(id.staticKeyPair());
        a.open(blob(id, id.address()));
        assertTrue(a.attacker.established);
        byte[] hello = Vl1Codec.encode(Hello.of(9, 0, Node.SOFTWARE, 1, List.of(), null));
        byte[] relay = Vl1Codec.encode(new Relay(1, Pool.get(3).address(), id.address(), Bytes.of(new byte[64])));
        List<byte[]> malformed = List.of(new byte[0], Arrays.copyOf(hello, 10), new byte[] {Verb.WHOIS, 0, 0, 0, 1, 0},
                new byte[Vl1Limits.MAX_VL1_MESSAGE + 1], Arrays.copyOf(relay, 30));
        for (byte[] m : malformed) a.attacker.send(m);
        a.attacker.send(new byte[] {0x1f, 1, 2, 3});
        a.attacker.send(relay); // RELAY from a peer that is not a root (§5.3)
        a.attacker.send(Vl1Codec.encode(new Whois(5, List.of(Pool.get(6).address())))); // WHOIS at a member
        a.attacker.send(Vl1Codec.encode(new RootSet(Bytes.of(RootSetPushTest.set(RootSetPushTest.K1, 9, List.of(RootSetPushTest.K1.publicKey()), 5).encoded()))));
        a.sim.runUntil(a.sim.now() + 1_000);
        assertEquals(1, a.count(NodeCounter.ROOT_SET_REFUSED), "a ROOT_SET from a peer that is not one of its roots (§4.2)");
        assertEquals(malformed.size(), a.count(NodeCounter.MALFORMED));
        assertEquals(1, a.count(NodeCounter.UNSUPPORTED_VERB));
        assertEquals(1, a.count(NodeCounter.RELAY_NOT_FROM_ROOT));
        assertEquals(1, a.count(NodeCounter.IGNORED_VERB));
        assertTrue(a.attacker.received.stream().anyMatch(p -> p[0] == Verb.ERROR && (p[6] & 0xff) == ErrorMessage.UNSUPPORTED_OPERATION), "ERROR UNSUPPORTED_OPERATION");
        a.attacker.send(Vl1Codec.encode(new UserMessage(70_000, Bytes.of(new byte[] {1, 2, 3}))));
        a.sim.runUntil(a.sim.now() + 500);
        NodeEvent.UserMessageReceived got = a.target.events(NodeEvent.UserMessageReceived.class).getFirst();
        assertEquals(id.fingerprint(), got.from(), "the session still works");
        assertEquals(0, a.target.node.zsspInternalErrors());
    }

    @Test
    void echoAnswersAreLimitedTo64PerSecondAndAnUnknownProtocolVersionCloses() {
        SecretIdentity id = Pool.get(5);
        Arena a = new Arena(id.staticKeyPair());
        a.open(blob(id, id.address()));
        assertTrue(a.attacker.established);
        a.sim.runUntil(a.sim.now() + 200);
        int before = a.attacker.received.size();
        for (int i = 1; i <= 100; i++) a.attacker.send(Vl1Codec.encode(new Echo(i, Echo.PATH_PROBE, 1234)));
        a.sim.runUntil(a.sim.now() + 300);
        long oks = a.attacker.received.subList(before, a.attacker.received.size()).stream()
                .filter(p -> p[0] == Verb.OK && p[1] == Verb.ECHO).count();
        assertEquals(64, oks, "OK(ECHO) answers within the burst of 64 (§3.8)");
        assertEquals(36, a.count(NodeCounter.ECHO_RATE_LIMITED));
        a.attacker.send(Vl1Codec.encode(new Hello(77, 2, 0, Node.SOFTWARE, 1, List.of())));
        a.sim.runUntil(a.sim.now() + 300);
        assertTrue(a.attacker.received.stream().anyMatch(p -> p[0] == Verb.ERROR && p[1] == Verb.HELLO && (p[6] & 0xff) == ErrorMessage.BAD_PROTOCOL_VERSION));
        assertFalse(a.target.node.hasSession(id.fingerprint()), "closed (§3.6)");
    }

    @Test
    void relayAbuseAndWhoisFloodAtARootGetTheirDefinedAnswers() {
        World w = new World(9, 2, 2);
        assertTrue(w.runUntil(w::allOnline, 5_000));
        SimNode a = w.member(0), b = w.member(1);
        Node root = w.root(0).node;
        var rootFp = Pool.get(0).fingerprint();
        Address unknown = new Address(0x0102030405L);
        a.run(() -> a.node.send(rootFp, new Relay(1, unknown, a.node.address(), Bytes.of(new byte[64]))));
        w.run(1_100); // ERRORs: one per (peer, code) per second (§3.4)
        assertEquals(1, root.count(NodeCounter.RELAY_NO_DESTINATION));
        assertEquals(1, a.node.count(NodeCounter.ERROR_RECEIVED), "RELAY_DENIED reason 1");
        // a datagram shorter than 32 bytes: malformed, RELAY_DENIED reason 4
        byte[] shortRelay = Arrays.copyOf(Vl1Codec.encode(new Relay(1, b.node.address(), a.node.address(), Bytes.of(new byte[64]))), 12 + 20);
        a.run(() -> a.node.sendBytes(rootFp, shortRelay));
        w.run(1_500);
        assertEquals(1, root.count(NodeCounter.MALFORMED));
        assertEquals(2, a.node.count(NodeCounter.ERROR_RECEIVED));
        // WHOIS flood: 20 × 32 addresses at once; beyond 100 addresses/s: RATE_LIMITED
        List<Address> many = new java.util.ArrayList<>();
        for (int i = 1; i <= 32; i++) many.add(new Address(0x0a00000000L + i));
        a.run(() -> {
            for (int i = 0; i < 20; i++) a.node.send(rootFp, new Whois(1000 + i, many));
        });
        w.run(500);
        assertEquals(17, root.count(NodeCounter.WHOIS_RATE_LIMITED));
        // spoofed origins: counted as abuse; beyond 100 a minute every RELAY from a is dropped for 60 s
        a.run(() -> {
            for (int i = 0; i < 150; i++) a.node.send(rootFp, new Relay(1, b.node.address(), b.node.address(), Bytes.of(new byte[64])));
        });
        w.run(500);
        assertEquals(101, root.count(NodeCounter.RELAY_REFUSED), "steps 1–4 refusals (the malformed one included) counted up to the ban");
        assertTrue(root.count(NodeCounter.RELAY_ABUSE_BANNED) > 0, "then dropped without answer"); // (a few may be lost to reordering in ZSSP's window)
        assertTrue(a.node.isOnline(), "the session itself stays up");
        assertEquals(0, root.zsspInternalErrors());
    }

    @Test
    void randomTrafficLeavesEveryTableBounded() {
        World w = new World(10, 2, 2);
        assertTrue(w.runUntil(w::allOnline, 5_000));
        SplittableRandom r = new SplittableRandom(10);
        SimNode a = w.member(0);
        List<SimNode> targets = List.of(w.root(0), a);
        int sent = 0;
        for (int i = 0; i < 20_000; i++) {
            SimNode t = targets.get(i & 1);
            byte[] ip = new byte[4];
            r.nextBytes(ip);
            InetSocketAddress from;
            try {
                from = new InetSocketAddress(InetAddress.getByAddress(ip), 1 + r.nextInt(65_535));
            } catch (java.net.UnknownHostException e) {
                throw new AssertionError(e);
            }
            int len = r.nextInt(10) == 0 ? 1749 : r.nextInt(1500);
            byte[] d = new byte[len];
            r.nextBytes(d);
            if (len >= 4 && r.nextBoolean()) Arrays.fill(d, 0, 4, (byte) 0); // key id 0: a would-be Hello
            t.node.receive(d, t.local, from, w.sim.now());
            sent++;
        }
        // lookups for random addresses: bounded by the pending-lookup limit and the negative cache
        a.run(() -> {
            for (int i = 0; i < 3_000; i++) a.node.lookup(new Address(0x0100000000L + i));
        });
        w.run(60_000);
        for (SimNode t : targets) {
            Map<String, Integer> sizes = t.node.tableSizes();
            assertTrue(sizes.get("peers") <= 4, t + " " + sizes);
            assertTrue(sizes.get("zsspPending") <= 256, t + " " + sizes);
            assertTrue(sizes.get("lookups") <= 1024 && sizes.get("negative") <= 4096, t + " " + sizes);
            assertTrue(sizes.get("timers") <= 8, t + " " + sizes);
            assertEquals(0, t.node.zsspInternalErrors());
            assertEquals(0, t.node.count(NodeCounter.INTERNAL_ERROR));
        }
        long dropped = 0;
        for (SimNode t : targets) dropped += t.node.count(NodeCounter.PUNCH) + t.node.count(NodeCounter.ZSSP_DROPPED);
        assertTrue(dropped >= sent * 9 / 10, "dropped " + dropped + " of " + sent); // the rest completed nothing (Pending)
        assertTrue(w.allOnline(), "the flood does not take the nodes offline");
    }

    /** Seeded random bytes. */
    static final class SplittableRandomBytes {
        final SplittableRandom r;

        SplittableRandomBytes(long seed) {
            r = new SplittableRandom(seed);
        }

        byte[] next(int n) {
            byte[] b = new byte[n];
            r.nextBytes(b);
            return b;
        }
    }
}
