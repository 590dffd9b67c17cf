package dev.planetary.vl1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.SecretIdentity;
import dev.planetary.store.MemoryRatchetStore;
import dev.planetary.zssp.RatchetPair;
import dev.planetary.zssp.RatchetStore;
import dev.planetary.zssp.StaticPublicKey;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * §3.3 / §2.10: a member's ratchets live in its store ({@code node.db} in the daemon), so after a
 * restart the next session with a peer re-keys from the stored ratchet: the ratchet chain goes on
 * (length n → n + 1) instead of starting again from the zero ratchet (length 1, a downgrade).
 */
class RatchetPersistenceSimTest {

    private static long chain(RatchetStore store, StaticPublicKey peer) throws Exception {
        RatchetPair p = store.load(peer);
        assertNotNull(p, "a ratchet row for the peer");
        return p.state1().chainLength();
    }

    @Test
    void aRestartedMemberReKeysFromItsStoredRatchet() throws Exception {
        World w = new World(31, 1, 0);
        List<RootInfo> roots = List.of(w.root(0).rootInfo(Pool.get(0)));
        SecretIdentity idA = Pool.get(1), idB = Pool.get(2);
        RatchetStore storeA = new MemoryRatchetStore(), storeB = new MemoryRatchetStore();
        SimNode a = new SimNode("a", w.sim.publicHost("a", "203.0.113.10"), 9993, idA, l -> NodeConfig.member(l, roots), SimNode.VERIFIER, storeA);
        SimNode b = new SimNode("b", w.sim.publicHost("b", "203.0.114.10"), 9993, idB, l -> NodeConfig.member(l, roots), SimNode.VERIFIER, storeB);
        assertTrue(w.runUntil(() -> a.node.isOnline() && b.node.isOnline(), 5_000));
        a.userMessage(idB.address(), "first");
        assertTrue(w.runUntil(() -> b.texts().contains("first"), 10_000), () -> "a: " + a.node.counters());
        w.run(1_000);
        StaticPublicKey keyA = idA.identity().staticPublicKey(), keyB = idB.identity().staticPublicKey();
        long before = chain(storeA, keyB);
        assertEquals(before, chain(storeB, keyA), "both sides stored the same ratchet");
        assertTrue(before >= 1, "the first session advanced the ratchet: " + before);

        a.stop(); // a crashes; it comes back (on another address) with the same identity and the same store
        SimNode a2 = new SimNode("a2", w.sim.publicHost("a2", "203.0.115.10"), 9993, idA, l -> NodeConfig.member(l, roots), SimNode.VERIFIER, storeA);
        assertTrue(w.runUntil(() -> a2.node.isOnline(), 5_000));
        a2.userMessage(idB.address(), "after restart");
        assertTrue(w.runUntil(() -> b.texts().contains("after restart"), 10_000), () -> "a2: " + a2.node.counters());
        w.run(1_000);
        assertEquals(before + 1, chain(storeA, keyB), "the new session continued the stored chain rather than restarting from zero");
        assertEquals(before + 1, chain(storeB, keyA));
    }
}
