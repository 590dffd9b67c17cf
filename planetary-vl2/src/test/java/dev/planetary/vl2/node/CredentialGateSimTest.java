package dev.planetary.vl2.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Fingerprint;
import dev.planetary.vl1.Verb;
import dev.planetary.vl2.CredentialItem;
import dev.planetary.vl2.MemberCredential;
import dev.planetary.vl2.NetworkCredentials;
import dev.planetary.vl2.Revocation;
import dev.planetary.vl2.RevocationList;
import dev.planetary.vl2.Signed;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Credentials between members and the gate (VL.md §8.2–§8.4): a presented credential opens the gate;
 * forged, foreign, stale and revoked ones do not; NEED_MEMBERSHIP_CERTIFICATE is rate-limited.
 */
class CredentialGateSimTest {

    @Test
    void presentedCredentialsOpenTheGateForgedStaleAndRevokedOnesDoNot() {
        MemberNetworksSimTest.Setup s = new MemberNetworksSimTest.Setup(61);
        MemberNetworksSimTest.drive(s);
        s.ctl.authorized.add(s.memberFp());
        s.ctl.authorized.add(s.other.node.fingerprint());
        MemberNetworks otherMember = new MemberNetworks(s.other.layer, NetworkStore.NONE, s.other.seededRandom(), "planetary-test");
        s.other.extra = otherMember::service;
        MemberNetwork a = s.join(null, null);
        MemberNetwork[] b = new MemberNetwork[1];
        s.other.run(() -> b[0] = otherMember.join(s.ctl.nwid, null, null));
        assertTrue(s.w.runUntil(() -> a.status() == MemberNetwork.Status.OK && b[0].status() == MemberNetwork.Status.OK
                && a.revocations().revision() > 0 && b[0].revocations().revision() > 0, 60_000));
        Fingerprint aFp = s.memberFp(), bFp = s.other.node.fingerprint();
        SeqexLinkSimTest.connect(s.w, s.memHost, s.other);
        assertFalse(b[0].allowed(aFp), "no credential presented yet");

        // a forged set first: each is refused and counted, the gate stays shut
        long ts = a.ownCredential().orElseThrow().timestamp();
        MemberCredential base = a.ownCredential().orElseThrow().value();
        List<Signed<MemberCredential>> bad = List.of(
                s.ctl.credential(bFp, s.other.node.address(), s.ctl.ts()), // issued to b, presented by a
                base.sign(Vl2World.identity(3), ts), // signed by someone else than the controller
                s.ctl.credential(aFp, s.memHost.node.address(), ts - 3 * base.maxDelta())); // stale: older than b's by more than the window
        for (Signed<MemberCredential> mc : bad) {
            byte[] m = NetworkCredentials.of(s.ctl.nwid, CredentialItem.Credential.of(mc)).encode();
            s.memHost.run(() -> assertTrue(s.memHost.node.sendUpper(bFp, m)));
        }
        s.w.run(2_000);
        assertFalse(b[0].allowed(aFp));
        var c = otherMember.counters();
        assertEquals(1L, c.get("refusedPresentation.WRONG_HOLDER"), c::toString);
        assertEquals(1L, c.get("refusedPresentation.WRONG_ISSUER"), c::toString);
        assertEquals(1L, c.get("refusedPresentation.WINDOW_PEER_OLDER"), c::toString);

        // the real one
        s.memHost.run(() -> assertTrue(s.member.present(bFp, s.ctl.nwid)));
        assertTrue(s.w.runUntil(() -> b[0].allowed(aFp), 5_000), () -> otherMember.counters().toString());
        assertEquals(1L, otherMember.counters().get("presentationsAccepted"));

        // a's credential is refreshed (a fresh MC pushed by the controller): b gets it too, unasked (§8.3)
        Signed<MemberCredential> fresh = s.ctl.credential(aFp, s.memHost.node.address(), s.ctl.ts());
        SeqexLinkSimTest.Outcome refreshed = new SeqexLinkSimTest.Outcome();
        s.ctlHost.run(() -> assertTrue(s.ctl.push(aFp, NetworkCredentials.of(s.ctl.nwid, CredentialItem.Credential.of(fresh)).encode(), refreshed)));
        assertTrue(s.w.runUntil(() -> b[0].peerCredential(aFp).filter(fresh::equals).isPresent(), 5_000), () -> otherMember.counters().toString());

        // the gate's refusal: NEED_MEMBERSHIP_CERTIFICATE at most once per second per peer
        long errorsBefore = s.memHost.node.count(dev.planetary.vl1.NodeCounter.ERROR_RECEIVED);
        Fingerprint ctlFp = s.ctlFp();
        s.other.run(() -> {
            for (int i = 0; i < 5; i++) otherMember.refuse(aFp, s.ctl.nwid, Verb.FRAME);
        });
        s.w.run(1_000);
        assertEquals(errorsBefore + 1, s.memHost.node.count(dev.planetary.vl1.NodeCounter.ERROR_RECEIVED), "one ERROR, not five");
        assertTrue(b[0].allowed(ctlFp), "the controller always passes");

        // a revocation list with a's entry, pushed by the controller: the gate shuts for a (§8.4 effect)
        Signed<RevocationList> list = new RevocationList(s.ctl.nwid, s.ctl.list.value().revision() + 1, 0,
                List.of(Revocation.of(aFp, fresh.timestamp() + 1))).sign(s.ctl.identity, s.ctl.ts());
        SeqexLinkSimTest.Outcome o = new SeqexLinkSimTest.Outcome();
        s.ctlHost.run(() -> assertTrue(s.ctl.push(bFp, NetworkCredentials.of(s.ctl.nwid, CredentialItem.RevocationListItem.of(list)).encode(), o)));
        assertTrue(s.w.runUntil(o::done, 5_000));
        assertEquals(Verb.OK, o.reply[0]);
        assertFalse(b[0].allowed(aFp), "revoked");
        assertEquals(list.value().revision(), b[0].revocations().revision());
    }
}
