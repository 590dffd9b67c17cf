package dev.planetary.vl2.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Fingerprint;
import dev.planetary.identity.SecretIdentity;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl1.Verb;
import dev.planetary.vl2.NetworkConfig;
import dev.planetary.vl2.NetworkConfigMessage;
import dev.planetary.vl2.Signed;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The member side of VL2 against a fake controller in L0 (VL.md §7.2, §7.6, §8.3). Its MemoryStore is public for the daemon's tests. */
public class MemberNetworksSimTest {

    /** Files in memory. */
    public static final class MemoryStore implements NetworkStore {
        public final Map<String, byte[]> files = new HashMap<>();

        @Override
        public void write(NetworkId network, Kind kind, byte[] content) {
            files.put(network + "." + kind.suffix, content.clone());
        }

        @Override
        public void remove(NetworkId network) {
            files.keySet().removeIf(k -> k.startsWith(network.toString()));
        }

        public boolean has(NetworkId n, Kind k) {
            return files.containsKey(n + "." + k.suffix);
        }
    }

    /** A world: root, controller (member 0), joining member (member 1), third member (member 2). */
    static final class Setup {
        final Vl2World w;
        final Vl2World.Host ctlHost, memHost, other;
        final FakeController ctl;
        final MemoryStore store = new MemoryStore();
        final MemberNetworks member;
        final List<String> changes = new ArrayList<>();

        Setup(long seed) {
            w = new Vl2World(seed, 3, SeqexLinkSimTest.CLEAN);
            ctlHost = w.member(0);
            memHost = w.member(1);
            other = w.member(2);
            ctl = new FakeController(ctlHost, Vl2World.identity(1));
            member = new MemberNetworks(memHost.layer, store, memHost.seededRandom(), "planetary-test");
            member.onChange(n -> changes.add(n.status().toString()));
            memHost.layer.seqex(); // the member's layer is driven by the world's loop
            assertTrue(w.runUntil(() -> memHost.node.isOnline() && ctlHost.node.isOnline() && other.node.isOnline(), 30_000));
        }

        MemberNetwork join(Fingerprint pin, String token) {
            MemberNetwork[] n = new MemberNetwork[1];
            memHost.run(() -> n[0] = member.join(ctl.nwid, pin, token));
            return n[0];
        }

        Fingerprint memberFp() {
            return memHost.node.fingerprint();
        }

        Fingerprint ctlFp() {
            return ctlHost.node.fingerprint();
        }
    }

    /** The world's loop services the member engine too. */
    static void drive(Setup s) {
        s.memHost.extra = s.member::service;
    }

    @Test
    void joinWithATokenReachesOkPinsTheControllerAndStoresTheFiles() {
        Setup s = new Setup(31);
        drive(s);
        s.ctl.token = "join-me-please";
        MemberNetwork n = s.join(null, "join-me-please");
        assertEquals(MemberNetwork.Status.REQUESTING_CONFIGURATION, n.status());
        assertTrue(s.w.runUntil(() -> n.status() == MemberNetwork.Status.OK, 30_000), () -> n + " " + s.member.counters());
        assertEquals(s.ctlFp(), n.controller().orElseThrow(), "TOFU pinned the controller at nwid >> 24");
        assertEquals(s.memberFp(), n.config().orElseThrow().value().issuedTo());
        assertTrue(s.store.has(s.ctl.nwid, NetworkStore.Kind.CONFIG));
        assertTrue(s.store.has(s.ctl.nwid, NetworkStore.Kind.CREDENTIAL));
        assertEquals(s.ctlFp().toString(), new String(s.store.files.get(s.ctl.nwid + ".pin")));
        assertTrue(s.changes.contains("OK"));
        assertTrue(s.ctl.requests.getFirst().token().isPresent(), "the token went with the request");
        assertTrue(n.allowed(s.ctlFp()), "the controller passes the gate");
        assertFalse(n.allowed(s.other.node.fingerprint()), "a peer without a credential does not");
    }

    @Test
    void pendingApprovalRetriesEvery30SecondsThenDeauthorizationEndsInAccessDenied() {
        Setup s = new Setup(32);
        drive(s);
        MemberNetwork n = s.join(null, null);
        assertTrue(s.w.runUntil(() -> n.status() == MemberNetwork.Status.ACCESS_DENIED, 30_000), () -> n + " " + s.member.counters());
        assertEquals(1, n.deniedReason(), "pending approval");
        int asked = s.ctl.requests.size();
        s.ctl.authorized.add(s.memberFp());
        assertTrue(s.w.runUntil(() -> n.status() == MemberNetwork.Status.OK, 40_000), "the 30 s retry picks the authorization up");
        assertEquals(asked + 1, s.ctl.requests.size(), "one retry, not a storm");
        // deauthorized: the next refresh (max-delta/4 ± 10 %, 6.75..8.25 min) is answered ACCESS_DENIED reason 2
        s.ctl.deauthorize(s.memberFp());
        assertTrue(s.w.runUntil(() -> n.status() == MemberNetwork.Status.ACCESS_DENIED, 9 * 60_000), () -> n + " " + s.member.counters());
        assertEquals(2, n.deniedReason(), "revoked");
    }

    @Test
    void aLostControllerSessionIsReopenedAtOnceAndTheConfigAskedAgain() {
        Setup s = new Setup(36);
        drive(s);
        s.ctl.authorized.add(s.memberFp()); // authorised by the operator (a token would authorise it again on every request)
        MemberNetwork n = s.join(null, null);
        assertTrue(s.w.runUntil(() -> n.status() == MemberNetwork.Status.OK, 30_000), () -> n + " " + s.member.counters());
        int asked = s.ctl.requests.size();
        // §6.4: the controller's side of the session is gone (a restarted controller); the member learns it
        // and reopens at once, instead of waiting for its refresh (max-delta/4: minutes): E9's reconnect
        s.ctl.deauthorize(s.memberFp());
        s.memHost.run(() -> s.memHost.node.closeSession(s.ctlFp(), "test: the controller restarted"));
        assertTrue(s.w.runUntil(() -> n.status() == MemberNetwork.Status.ACCESS_DENIED, 10_000),
                () -> "no new request after the session loss: " + n + " " + s.member.counters());
        assertEquals(asked + 1, s.ctl.requests.size(), "one request on the new session");
    }

    @Test
    void anUnknownNetworkIsNotFound() {
        Setup s = new Setup(33);
        drive(s);
        s.ctl.networkExists = false;
        MemberNetwork n = s.join(null, null);
        assertTrue(s.w.runUntil(() -> n.status() == MemberNetwork.Status.NOT_FOUND, 30_000), () -> n + " " + s.member.counters());
        assertFalse(s.store.has(s.ctl.nwid, NetworkStore.Kind.CONFIG));
        // the table holds MAX_NETWORKS
        s.memHost.run(() -> {
            for (int i = 2; s.member.networks().size() < MemberNetworks.MAX_NETWORKS; i++) s.member.join(NetworkId.of(s.ctl.nwid.controllerAddress(), i), null, null);
            assertThrows(IllegalStateException.class, () -> s.member.join(NetworkId.of(s.ctl.nwid.controllerAddress(), 999), null, null));
            assertThrows(IllegalArgumentException.class, () -> s.member.join(NetworkId.of(s.ctl.nwid.controllerAddress(), 2), null, "bad\ntoken"));
            assertTrue(s.member.leave(NetworkId.of(s.ctl.nwid.controllerAddress(), 2)));
        });
    }

    @Test
    void hostileConfigsAreRefusedCountedAndNothingIsStored() {
        Setup s = new Setup(34);
        drive(s);
        s.ctl.authorized.add(s.memberFp());
        MemberNetwork n = s.join(null, null);
        assertTrue(s.w.runUntil(() -> n.status() == MemberNetwork.Status.OK && n.revocations().revision() > 0, 30_000),
                "OK, and the referenced revocation list fetched (§7.6 step 6)");
        assertTrue(s.store.has(s.ctl.nwid, NetworkStore.Kind.REVOCATIONS));
        Signed<NetworkConfig> held = n.config().orElseThrow();
        s.store.files.clear();
        Fingerprint m = s.memberFp();
        SecretIdentity forger = Vl2World.identity(3); // the third member's identity
        long ts = s.ctl.ts();
        List<byte[]> pushes = List.of(
                // a config of a network this node did not join
                NetworkConfigMessage.of(s.ctl.config(NetworkId.of(s.ctl.nwid.controllerAddress(), 2), m,
                        new dev.planetary.vl2.MemberCredential(NetworkId.of(s.ctl.nwid.controllerAddress(), 2), m, s.memHost.node.address(), 1, 1_800_000, 0, List.of(), List.of(), List.of()).sign(s.ctl.identity, ts)).sign(s.ctl.identity, ts), true).encode(),
                // issued to another member (WRONG_MEMBER)
                NetworkConfigMessage.of(s.ctl.signedConfig(s.other.node.fingerprint(), s.other.node.address()), true).encode(),
                // signed by someone else than the pinned controller (WRONG_ISSUER)
                NetworkConfigMessage.of(s.ctl.config(s.ctl.nwid, m, s.ctl.credential(m, ts)).sign(forger, ts), true).encode(),
                // the held config again (NOT_NEWER: answered OK, ignored)
                NetworkConfigMessage.of(held, true).encode(),
                // a newer config with a broken signature (step 5)
                tamper(NetworkConfigMessage.of(s.ctl.signedConfig(m), true).encode()));
        List<SeqexLinkSimTest.Outcome> outcomes = new ArrayList<>();
        for (byte[] p : pushes) {
            SeqexLinkSimTest.Outcome o = new SeqexLinkSimTest.Outcome();
            outcomes.add(o);
            s.ctlHost.run(() -> assertTrue(s.ctl.push(m, p, o)));
        }
        assertTrue(s.w.runUntil(() -> outcomes.stream().allMatch(SeqexLinkSimTest.Outcome::done), 10_000));
        List<Integer> verbs = outcomes.stream().map(o -> o.reply[0] & 0xff).toList();
        assertEquals(List.of(Verb.ERROR, Verb.ERROR, Verb.ERROR, Verb.OK, Verb.ERROR), verbs);
        assertEquals(held, n.config().orElseThrow(), "the held config stays");
        assertTrue(s.store.files.isEmpty(), () -> "nothing stored: " + s.store.files.keySet());
        Map<String, Long> c = s.member.counters();
        assertEquals(1L, c.get("refusedPush.NOT_FROM_CONTROLLER"), c::toString); // the other network is not joined
        assertEquals(1L, c.get("refusedConfig.WRONG_MEMBER"), c::toString);
        assertEquals(1L, c.get("refusedConfig.WRONG_ISSUER"), c::toString);
        assertEquals(1L, c.get("refusedConfig.NOT_NEWER"), c::toString);
        assertEquals(1L, c.get("refusedConfig.BAD_SIGNATURE"), c::toString);

        // a config pushed by a peer that is not the controller never reaches the engine (§6.3)
        SeqexLinkSimTest.Outcome o = new SeqexLinkSimTest.Outcome();
        s.other.layer.seqex().handle(SeqexLink.CHANNEL_CONTROL, new SeqexLinkSimTest.Control(fp -> true));
        SeqexLinkSimTest.connect(s.w, s.other, s.memHost);
        s.other.run(() -> assertTrue(s.other.layer.seqex().request(m, SeqexLink.CHANNEL_CONTROL, NetworkConfigMessage.of(s.ctl.signedConfig(m), true).encode(), true, o)));
        s.w.run(3_000);
        assertFalse(o.done());
        assertTrue(s.memHost.layer.seqex().counters().get("seqexDroppedChannel") > 0);
        assertTrue(s.store.files.isEmpty(), () -> s.store.files.keySet() + " " + s.member.counters());

        // a good push is applied and answered OK
        SeqexLinkSimTest.Outcome good = new SeqexLinkSimTest.Outcome();
        s.ctl.networkRevision++;
        s.ctlHost.run(() -> assertTrue(s.ctl.push(m, NetworkConfigMessage.of(s.ctl.signedConfig(m), true).encode(), good)));
        assertTrue(s.w.runUntil(good::done, 5_000));
        assertEquals(Verb.OK, good.reply[0]);
        assertEquals(2, n.config().orElseThrow().value().networkRevision());
        assertTrue(s.store.has(s.ctl.nwid, NetworkStore.Kind.CONFIG));
    }

    @Test
    void aWrongPinNeverTalksToTheControllerAndStoresNothing() {
        Setup s = new Setup(35);
        drive(s);
        s.ctl.authorized.add(s.memberFp());
        MemberNetwork n = s.join(s.other.node.fingerprint(), null); // pinned to a fingerprint that is not the controller's
        s.w.run(20_000);
        assertEquals(MemberNetwork.Status.REQUESTING_CONFIGURATION, n.status());
        assertTrue(s.ctl.requests.isEmpty());
        assertFalse(s.store.has(s.ctl.nwid, NetworkStore.Kind.CONFIG));
    }

    /** Flips one bit near the end of the message (inside the PSO signature). */
    static byte[] tamper(byte[] m) {
        byte[] b = m.clone();
        b[b.length - 3] ^= 1;
        return b;
    }
}
