package dev.planetary.vl2.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Fingerprint;
import dev.planetary.identity.Pso;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl1.sim.LinkProfile;
import dev.planetary.vl2.CredentialItem;
import dev.planetary.vl2.Hostile;
import dev.planetary.vl2.MemberCredential;
import dev.planetary.vl2.NetworkCredentials;
import dev.planetary.vl2.Revocation;
import dev.planetary.vl2.RevocationList;
import dev.planetary.vl2.Signed;
import dev.planetary.vl2.Vl2Limits;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Revocation lists between members in L0 (VL.md §8.3 rumor mill, §8.4 propagation): a member cut off
 * from the controller learns a revocation from a peer that has the list, and then refuses the revoked
 * member; lists a hostile member serves (forged, older, oversized, foreign) are dropped and counted.
 * Prints the measured learning times (BENCHMARKS.md).
 */
class RevocationPullSimTest {

    /** Controller (member 0), M (1, the member that gets cut off), P (2, its peer), X (3, revoked / hostile). */
    static final class World {
        final Vl2World w = new Vl2World(71, 4, SeqexLinkSimTest.CLEAN);
        final Vl2World.Host ctlHost = w.member(0), mHost = w.member(1), pHost = w.member(2), xHost = w.member(3);
        final FakeController ctl = new FakeController(ctlHost, Vl2World.identity(1));
        final MemberNetworks mEngine = engine(mHost), pEngine = engine(pHost);
        final Fingerprint mFp = mHost.node.fingerprint(), pFp = pHost.node.fingerprint(), xFp = xHost.node.fingerprint();
        final MemberNetwork m, p;
        Signed<MemberCredential> xMc;

        World() {
            assertTrue(w.runUntil(() -> ctlHost.node.isOnline() && mHost.node.isOnline() && pHost.node.isOnline() && xHost.node.isOnline(), 30_000));
            ctl.authorized.addAll(List.of(mFp, pFp, xFp));
            xHost.node.trusted(f -> true);
            m = join(mHost, mEngine);
            p = join(pHost, pEngine);
            assertTrue(w.runUntil(() -> m.status() == MemberNetwork.Status.OK && p.status() == MemberNetwork.Status.OK
                    && m.revocations().revision() == 1 && p.revocations().revision() == 1, 60_000));
            // M and P present to each other (each learns the other's held revision); X presents to M by hand
            SeqexLinkSimTest.connect(w, mHost, pHost);
            SeqexLinkSimTest.connect(w, xHost, mHost);
            mHost.run(() -> assertTrue(mEngine.present(pFp, ctl.nwid)));
            pHost.run(() -> assertTrue(pEngine.present(mFp, ctl.nwid)));
            xMc = ctl.credential(xFp, xHost.node.address(), ctl.ts());
            send(xHost, mFp, CredentialItem.Credential.of(xMc));
            assertTrue(w.runUntil(() -> m.allowed(pFp) && p.allowed(mFp) && m.allowed(xFp), 10_000), mEngine.counters()::toString);
            // members trust each other now (§5.7): their sessions move from the root's relay to direct paths
            assertTrue(w.runUntil(() -> !mHost.node.relayed(pFp) && !pHost.node.relayed(mFp) && !mHost.node.relayed(xFp) && !xHost.node.relayed(mFp), 60_000),
                    "direct paths");
        }

        private MemberNetworks engine(Vl2World.Host h) {
            MemberNetworks e = new MemberNetworks(h.layer, NetworkStore.NONE, h.seededRandom(), "planetary-test");
            h.extra = e::service;
            h.node.trusted(e::trusts); // as the daemon wires it (§5.7): members of a shared network get direct paths
            return e;
        }

        private MemberNetwork join(Vl2World.Host h, MemberNetworks e) {
            MemberNetwork[] n = new MemberNetwork[1];
            h.run(() -> n[0] = e.join(ctl.nwid, null, null));
            return n[0];
        }

        void send(Vl2World.Host from, Fingerprint to, CredentialItem... items) {
            byte[] msg = NetworkCredentials.of(ctl.nwid, items).encode();
            from.run(() -> assertTrue(from.node.sendUpper(to, msg)));
        }

        /** The controller's next list, revoking X's current credential. */
        Signed<RevocationList> revokeX() {
            ctl.list = new RevocationList(ctl.nwid, ctl.list.value().revision() + 1, 0, List.of(Revocation.of(xFp, xMc.timestamp() + 1))).sign(ctl.identity, ctl.ts());
            return ctl.list;
        }

        /** Nothing from M reaches the controller or the root any more (M keeps its sessions with P and X). */
        void cutOffM() {
            LinkProfile dead = SeqexLinkSimTest.CLEAN.withLoss(1.0);
            w.sim.link(mHost.host.site(), ctlHost.host.site(), dead);
            w.sim.link(mHost.host.site(), w.root.host.site(), dead);
        }
    }

    @Test
    void aMemberCutOffFromTheControllerLearnsARevocationFromAPeerAndThenRefusesTheRevokedMember() {
        World t = new World();
        t.cutOffM();
        Signed<RevocationList> list = t.revokeX();
        byte[] push = NetworkCredentials.of(t.ctl.nwid, CredentialItem.RevocationListItem.of(list)).encode();
        long start = t.w.sim.now();
        SeqexLinkSimTest.Outcome toP = new SeqexLinkSimTest.Outcome(), toM = new SeqexLinkSimTest.Outcome();
        t.ctlHost.run(() -> {
            assertTrue(t.ctl.push(t.pFp, push, toP));
            assertTrue(t.ctl.push(t.mFp, push, toM)); // lost: M is cut off
        });
        assertTrue(t.w.runUntil(() -> t.p.revocations().revision() == list.value().revision(), 1_000), "online: ≤ 1 s by the push");
        long online = t.w.sim.now() - start;
        assertTrue(t.w.runUntil(() -> !t.m.allowed(t.xFp), 60_000), () -> "cut off: ≤ 60 s through P " + t.mEngine.counters() + " " + t.pEngine.counters());
        long cutOff = t.w.sim.now() - start;
        System.out.printf("revocation learned (L0): online member by push %d ms, member cut off from the controller through a peer %d ms%n", online, cutOff);

        Map<String, Long> c = t.mEngine.counters();
        assertEquals(1L, c.get("revocationListsAcceptedFromPeers"), c::toString);
        assertEquals(1L, c.get("revocationListsAccepted"), "from the controller only the first list (at the join): M is cut off");
        assertEquals(list.value().revision(), t.m.revocations().revision());
        assertEquals(1L, t.pEngine.counters().get("revocationListsSent"), "P passed it on once");
        assertEquals(null, toM.reply, "the controller's push to M did not arrive");

        // X presents its (revoked) credential again: still refused
        t.send(t.xHost, t.mFp, CredentialItem.Credential.of(t.xMc));
        t.w.run(2_000);
        assertFalse(t.m.allowed(t.xFp), "X's frames are refused (the gate)");
        assertTrue(t.m.allowed(t.pFp), "P still passes");
        assertEquals(1L, t.pEngine.counters().get("revocationListsSent"), "no ping-pong: M and P hold the same revision");

        // the next list reaches P within 60 s of the last one P sent M: P sends it when its 60 s are up (≤ 1 per peer per 60 s)
        Signed<RevocationList> third = new RevocationList(t.ctl.nwid, list.value().revision() + 1, 0,
                List.of(Revocation.of(t.xFp, t.xMc.timestamp() + 2))).sign(t.ctl.identity, t.ctl.ts());
        long pushed = t.w.sim.now();
        t.ctlHost.run(() -> assertTrue(t.ctl.push(t.pFp, NetworkCredentials.of(t.ctl.nwid, CredentialItem.RevocationListItem.of(third)).encode(),
                new SeqexLinkSimTest.Outcome())));
        assertTrue(t.w.runUntil(() -> t.m.revocations().revision() == third.value().revision(), 60_000), () -> t.pEngine.counters().toString());
        System.out.printf("revocation learned (L0): cut off, the next list within P's 60 s rate limit %d ms%n", t.w.sim.now() - pushed);
        assertEquals(2L, t.pEngine.counters().get("revocationListsSent"));
    }

    @Test
    void aPeerThatJoinsLateIsToldItsListIsOlderAndGetsTheNewOne() {
        World t = new World();
        t.cutOffM();
        Signed<RevocationList> list = t.revokeX();
        // P learns the list while it does not know M's revision (as after P's restart): M's next presentation tells it
        t.pHost.run(t.p.peerHeldRevision::clear);
        t.send(t.ctlHost, t.pFp, CredentialItem.RevocationListItem.of(list));
        assertTrue(t.w.runUntil(() -> t.p.revocations().revision() == list.value().revision(), 5_000));
        t.w.run(2_000);
        assertTrue(t.m.allowed(t.xFp), "M has not heard yet");
        long start = t.w.sim.now();
        t.mHost.run(() -> assertTrue(t.mEngine.present(t.pFp, t.ctl.nwid))); // M's presentation carries its held revision (item 0x04)
        assertTrue(t.w.runUntil(() -> !t.m.allowed(t.xFp), 60_000), () -> t.mEngine.counters() + " " + t.pEngine.counters());
        System.out.printf("revocation learned (L0): after a presentation with an older held revision %d ms%n", t.w.sim.now() - start);
    }

    @Test
    void forgedOlderOversizedAndForeignListsFromAMemberAreDroppedAndCounted() {
        World t = new World();
        long before = t.m.revocations().revision();
        NetworkId other = NetworkId.of(t.ctl.identity.address().value(), 2);
        long next = before + 1;
        Signed<RevocationList> good = new RevocationList(t.ctl.nwid, next, 0, List.of(Revocation.of(t.pFp, Long.MAX_VALUE))).sign(t.ctl.identity, t.ctl.ts());
        byte[] badSignature = good.encoded().clone();
        badSignature[badSignature.length - 1] ^= 1;
        List<byte[]> hostile = List.of(
                new RevocationList(t.ctl.nwid, next, 0, List.of(Revocation.of(t.pFp, Long.MAX_VALUE))).sign(Vl2World.identity(3), t.ctl.ts()).encoded(), // not the controller's
                badSignature, // the controller's fingerprint, a broken signature
                RevocationList.initial(t.ctl.nwid).sign(t.ctl.identity, t.ctl.ts()).encoded(), // not newer (revision 1)
                new RevocationList(other, next, 0, List.of()).sign(t.ctl.identity, t.ctl.ts()).encoded(), // another network
                oversized(t, next)); // MAX_REVOCATIONS + 1 entries, correctly signed
        for (byte[] pso : hostile) {
            t.send(t.xHost, t.mFp, new CredentialItem.RevocationListItem(dev.planetary.vl1.Bytes.of(pso)));
            t.w.run(1_100); // one list per peer per second is looked at
        }
        // and a burst: one list per second per peer is looked at, the rest refused before parsing
        for (int i = 0; i < 5; i++) t.send(t.xHost, t.mFp, new CredentialItem.RevocationListItem(dev.planetary.vl1.Bytes.of(badSignature)));
        t.w.run(500);
        Map<String, Long> c = t.mEngine.counters();
        assertEquals(2L, c.get("refusedRevocations.WRONG_ISSUER_OR_NETWORK"), c::toString);
        assertEquals(2L, c.get("refusedRevocations.BAD_SIGNATURE"), c::toString);
        assertEquals(1L, c.get("revocationListsNotNewer"), c::toString);
        assertEquals(1L, c.get("refusedRevocations.MALFORMED"), c::toString);
        assertEquals(4L, c.get("refusedRevocations.RATE_LIMITED"), c::toString);
        assertEquals(before, t.m.revocations().revision(), "nothing changed");
        assertTrue(t.m.allowed(t.pFp), "P was not revoked by a forged list");
        assertEquals(null, c.get("revocationListsAcceptedFromPeers"));
    }

    /** A controller-signed list PSO with {@code MAX_REVOCATIONS + 1} entries (a controller never makes one). */
    private static byte[] oversized(World t, long revision) {
        int n = Vl2Limits.MAX_REVOCATIONS + 1;
        ByteBuffer entries = ByteBuffer.allocate(n * (Vl2Limits.REVOCATION_PREFIX_BYTES + 8));
        for (int i = 0; i < n; i++) entries.putLong(0).putLong(i).putLong(1); // ascending 16-byte prefixes, threshold 1
        ByteBuffer body = ByteBuffer.allocate(3 * 11 + 3 + entries.capacity());
        body.put((byte) 0x01).putShort((short) 8).putLong(t.ctl.nwid.value());
        body.put((byte) 0x02).putShort((short) 8).putLong(revision);
        body.put((byte) 0x03).putShort((short) 8).putLong(0);
        body.put((byte) 0x04).putShort((short) entries.capacity()).put(entries.array());
        return Hostile.signRaw(t.ctl.identity, t.ctl.ts(), Pso.REVOCATION_LIST, body.array());
    }
}
