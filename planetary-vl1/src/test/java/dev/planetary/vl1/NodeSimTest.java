package dev.planetary.vl1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The WP1 demonstrations in L0 (VL.md §17): two roots, three members. */
class NodeSimTest {

    @Test
    void e2MembersComeOnlineWithinFiveSeconds() {
        World w = new World(1, 2, 3);
        assertTrue(w.runUntil(w::allOnline, 5_000), () -> "not all online after 5 s: " + w.members.stream().map(m -> m.name + "=" + m.node.isOnline() + " " + m.node.counters()).toList());
        for (SimNode r : w.roots) {
            for (SimNode m : w.members) assertEquals(m.node.fingerprint(), r.node.registered(m.node.address()).orElseThrow(), "registered at " + r);
        }
    }

    @Test
    void e3WhoisThroughTwoAgreeingRootsThenUserMessagesBothWays() {
        World w = new World(2, 2, 3);
        assertTrue(w.runUntil(w::allOnline, 5_000));
        SimNode a = w.member(0), b = w.member(1);
        a.userMessage(b.node.address(), "hello b");
        assertTrue(w.runUntil(() -> b.texts().contains("hello b"), 10_000), () -> "a: " + a.events + " " + a.node.counters() + "\nb: " + b.events);
        NodeEvent.IdentityResolved resolved = a.events(NodeEvent.IdentityResolved.class).getFirst();
        assertEquals(b.node.fingerprint(), resolved.fingerprint());
        assertFalse(resolved.tofu());
        assertEquals(b.node.fingerprint(), a.node.cachedFingerprint(b.node.address()).orElseThrow());
        NodeEvent.UserMessageReceived got = b.events(NodeEvent.UserMessageReceived.class).getFirst();
        assertEquals(a.node.fingerprint(), got.from());
        b.userMessage(a.node.address(), "hello a");
        assertTrue(w.runUntil(() -> a.texts().contains("hello a"), 10_000), () -> "b: " + b.events + " " + b.node.counters());
        assertEquals(1, a.node.liveSessions(b.node.fingerprint()));
        assertEquals(1, b.node.liveSessions(a.node.fingerprint()));
        assertTrue(a.node.relayed(b.node.fingerprint()), "no endpoint known: the session runs through a root");
        assertEquals(List.of(), a.events(NodeEvent.IdentityConflict.class));
    }
}
