package dev.planetary.vl1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Endpoint;
import dev.planetary.identity.RootSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** §4.2 end to end on L0: a root pushes a newer set in answer to a member's HELLO; the member switches roots. */
class RootSetPushSimTest {

    private static RootSet.Root root(SimNode r, int pool) {
        return new RootSet.Root(Pool.get(pool).identity(), List.of(Endpoint.udp(r.local)));
    }

    @Test
    void aPushedNewerSetIsAcceptedAndTheMemberConnectsToItsNewRoot() {
        World w = new World(41, 2, 0);
        SimNode r1 = w.root(0), r2 = w.root(1);
        RootSet rev1 = RootSet.create(RootSetPushTest.K1, "test", 1, 1, List.of(RootSetPushTest.K1.publicKey()), List.of(root(r1, 0)));
        RootSet rev2 = RootSet.create(RootSetPushTest.K1, "test", 2, 2, List.of(RootSetPushTest.K1.publicKey()), List.of(root(r1, 0), root(r2, 1)));
        r1.node.publishRootSet(rev2);
        SimNode a = new SimNode("a", w.sim.publicHost("a", "203.0.113.10"), 9993, Pool.get(2),
                l -> NodeConfig.member(l, List.of(r1.rootInfo(Pool.get(0)))));
        a.run(() -> a.node.useRootSets(List.of(RootSetPushTest.accepted(rev1, false))));
        assertTrue(w.runUntil(() -> a.node.liveRoots().size() == 2, 10_000),
                () -> "a: " + a.node.counters() + " " + a.events);
        assertEquals(1, a.node.count(NodeCounter.ROOT_SET_ACCEPTED));
        assertEquals(1, r1.node.count(NodeCounter.ROOT_SET_PUSHED));
        NodeEvent.RootSetUpdated u = a.events(NodeEvent.RootSetUpdated.class).getFirst();
        assertEquals(2, u.revision());
        assertEquals(2, u.roots().size());
        // the member now summarises revision 2: r2 (which publishes nothing) and r1 push nothing more
        w.run(120_000);
        assertEquals(1, r1.node.count(NodeCounter.ROOT_SET_PUSHED));
        assertEquals(0, a.node.count(NodeCounter.ROOT_SET_REFUSED));
    }
}
