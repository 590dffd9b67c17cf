package dev.planetary.vl1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Endpoint;
import dev.planetary.identity.RootSet;
import dev.planetary.identity.RootSets;
import dev.planetary.identity.UpdateKey;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ROOT_SET push and pinning (§4.1 update rule, §4.2): the member side accepts only a newer revision
 * of a set it holds, signed by one of that set's update keys; the root side pushes its newest to a
 * member summarising an older one, at most once per 60 s.
 */
class RootSetPushTest {
    static final UpdateKey K1 = UpdateKey.generate(), K2 = UpdateKey.generate();

    static RootSet set(UpdateKey signer, long revision, List<byte[]> keys, int... pool) {
        List<RootSet.Root> roots = new java.util.ArrayList<>();
        for (int i : pool) roots.add(new RootSet.Root(Pool.get(i).identity(), List.of(Endpoint.udp(new InetSocketAddress("198.51.100." + (i + 1), 9993)))));
        return RootSet.create(signer, "test", revision, revision, keys, roots);
    }

    static RootSets.Accepted accepted(RootSet s, boolean frozen) {
        return new RootSets.Accepted(s.validate(SimNode.VERIFIER).orThrow(), frozen);
    }

    private static RootSetPush member(RootSet pinned, boolean frozen) {
        RootSetPush m = new RootSetPush(SimNode.VERIFIER);
        m.use(List.of(accepted(pinned, frozen)));
        return m;
    }

    @Test
    void aNewerRevisionSignedByAnUpdateKeyIsAcceptedAndReplacesTheSet() {
        RootSetPush m = member(set(K1, 1, List.of(K1.publicKey()), 0), false);
        assertTrue(m.receive(set(K1, 2, List.of(K1.publicKey(), K2.publicKey()), 0, 1).encoded()).isOk());
        assertEquals(2, m.accepted().getFirst().valid().set().revision());
        assertEquals(List.of(new RootSetSummary(RootSetSummary.nameId("test"), 2)), m.summaries());
        // rotation: revision 3 signed by K2, an update key that revision 2 introduced
        assertTrue(m.receive(set(K2, 3, List.of(K2.publicKey()), 1).encoded()).isOk());
    }

    @Test
    void olderForgedOtherKeyOtherNameFrozenAndGarbageAreRefused() {
        RootSet rev2 = set(K1, 2, List.of(K1.publicKey()), 0);
        RootSetPush m = member(rev2, false);
        assertFalse(m.receive(set(K1, 1, List.of(K1.publicKey()), 0, 1).encoded()).isOk(), "older");
        assertFalse(m.receive(rev2.encoded()).isOk(), "same revision");
        byte[] forged = set(K1, 3, List.of(K1.publicKey()), 0, 1).encoded();
        forged[forged.length - 1] ^= 1; // the signature's last byte
        assertFalse(m.receive(forged).isOk(), "forged signature");
        assertFalse(m.receive(set(K2, 3, List.of(K2.publicKey()), 0, 1).encoded()).isOk(), "signed by a key outside the lineage");
        assertFalse(m.receive(RootSet.create(K1, "other", 9, 9, List.of(K1.publicKey()),
                List.of(new RootSet.Root(Pool.get(0).identity(), List.of(Endpoint.udp(new InetSocketAddress("198.51.100.1", 9993)))))).encoded()).isOk(), "another set's name");
        assertFalse(m.receive(new byte[] {0x50, 0x4c, 0x52, 0x54, 1}).isOk(), "truncated");
        assertEquals(2, m.accepted().getFirst().valid().set().revision(), "nothing replaced the pinned set");
        RootSetPush frozen = member(rev2, true);
        assertFalse(frozen.receive(set(K1, 3, List.of(K1.publicKey()), 0, 1).encoded()).isOk(), "a frozen set ignores pushes");
        assertTrue(frozen.summaries().isEmpty(), "and is not summarised in HELLOs");
    }

    @Test
    void aRootPushesItsNewestToAnOlderSummaryAtMostOncePerMinute() {
        RootSetPush root = new RootSetPush(SimNode.VERIFIER);
        root.publish(set(K1, 2, List.of(K1.publicKey()), 0));
        root.publish(set(K1, 1, List.of(K1.publicKey()), 0)); // an older one never replaces the newest
        var fp = Pool.get(3).fingerprint();
        long id = RootSetSummary.nameId("test");
        assertNull(root.pushFor(fp, List.of(new RootSetSummary(id, 2)), 0), "up to date: nothing");
        assertNull(root.pushFor(fp, List.of(new RootSetSummary(RootSetSummary.nameId("other"), 1)), 0), "a set this root does not publish");
        RootSet pushed = root.pushFor(fp, List.of(new RootSetSummary(id, 1)), 0);
        assertNotNull(pushed);
        assertEquals(2, pushed.revision());
        assertNull(root.pushFor(fp, List.of(new RootSetSummary(id, 1)), 59_999), "≤ 1 push per node per 60 s");
        assertNotNull(root.pushFor(fp, List.of(new RootSetSummary(id, 1)), 60_000));
    }
}
