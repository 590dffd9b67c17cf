package dev.planetary.vl1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.planetary.vl1.sim.LinkProfile;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The WP1 demonstrations in L0 (VL.md §17): two roots, three members. */
class NodeSimTest {

    @Test
    void e2MembersComeOnlineWithinFiveSeconds() {
        World w = new World(1, 2, 3);
        long t0 = w.sim.now();
        assertTrue(w.runUntil(w::allOnline, 5_000), () -> "not all online after 5 s: " + w.members.stream().map(m -> m.name + "=" + m.node.isOnline() + " " + m.node.counters()).toList());
        // online = one root answered the HELLO; the other root may still be verifying: every root within the same 5 s
        assertTrue(w.runUntil(() -> w.roots.stream().allMatch(r -> w.members.stream().allMatch(m -> r.node.registered(m.node.address()).isPresent())), 5_000 - (w.sim.now() - t0)),
                "not registered at every root within 5 s");
        for (SimNode r : w.roots) {
            for (SimNode m : w.members) assertEquals(m.node.fingerprint(), r.node.registered(m.node.address()).orElseThrow(), "registered at " + r);
        }
    }

    @Test
    void e3WhoisThroughTwoAgreeingRootsThenUserMessagesBothWays() {
        World w = new World(2, 2, 3);
        assertTrue(w.runUntil(w::allOnline, 5_000));
        assertTrue(w.runUntil(w::allRootsAlive, 10_000));
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

    @Test
    void aLookupThatFoundNoLiveRootIsNotRememberedAsFailed() {
        World w = new World(4, 2, 2);
        SimNode a = w.member(0), b = w.member(1);
        w.sim.partition(List.of(a.host), List.of(w.root(0).host, w.root(1).host, b.host)); // a starts before any root is reachable
        a.userMessage(b.node.address(), "too early");
        assertTrue(w.runUntil(() -> !a.events(NodeEvent.LookupFailed.class).isEmpty(), 10_000), () -> "a: " + a.events);
        w.sim.heal();
        assertTrue(w.runUntil(w::allRootsAlive, 20_000));
        // "no live root" says nothing about b's address: the next send looks it up again at once
        a.userMessage(b.node.address(), "once the roots answer");
        assertTrue(w.runUntil(() -> b.texts().contains("once the roots answer"), 10_000), () -> "a: " + a.events);
    }

    @Test
    void disagreeingRootRaisesIdentityConflictAndPinsNothing() {
        World w = new World(3, 2, 3);
        assertTrue(w.runUntil(w::allRootsAlive, 10_000));
        SimNode a = w.member(0), b = w.member(1), c = w.member(2);
        // r2's registry serves c's (PoW-valid) identity at a's address: a restored or malicious root
        w.root(1).run(() -> w.root(1).node.importRegistration(a.node.address(), Pool.get(4).identity()));
        b.run(() -> b.node.lookup(a.node.address()));
        assertTrue(w.runUntil(() -> !b.events(NodeEvent.LookupFailed.class).isEmpty(), 10_000), () -> "b: " + b.events);
        assertFalse(b.events(NodeEvent.IdentityConflict.class).isEmpty(), () -> "b: " + b.events + " " + b.node.counters());
        NodeEvent.IdentityConflict conflict = b.events(NodeEvent.IdentityConflict.class).getFirst();
        assertEquals(a.node.address(), conflict.address());
        assertTrue(conflict.fingerprints().containsAll(List.of(a.node.fingerprint(), c.node.fingerprint())), conflict::toString);
        assertTrue(b.node.cachedFingerprint(a.node.address()).isEmpty(), "nothing pinned");
        assertEquals(List.of(), b.events(NodeEvent.IdentityResolved.class));
        // messages for that address are refused while the failure is cached (30 s)
        b.userMessage(a.node.address(), "x");
        w.run(3_000);
        assertEquals(List.of(), a.texts());
    }

    @Test
    void directWhenAnEndpointIsKnown() {
        World w = new World(4, 2, 3);
        assertTrue(w.runUntil(w::allOnline, 5_000));
        SimNode a = w.member(0), b = w.member(1);
        a.run(() -> a.node.remember(Pool.get(3).identity(), b.local));
        a.userMessage(b.node.address(), "direct");
        assertTrue(w.runUntil(() -> b.texts().contains("direct"), 10_000), () -> "a: " + a.events);
        assertFalse(a.node.relayed(b.node.fingerprint()), "the direct X1 wins over the relayed one");
        b.userMessage(a.node.address(), "back");
        assertTrue(w.runUntil(() -> a.texts().contains("back"), 10_000), () -> "b: " + b.events + " " + b.node.counters());
    }

    @Test
    void directBlockedTheSameExchangeGoesThroughRelay() {
        World w = new World(5, 2, 3);
        SimNode a = w.member(0), b = w.member(1);
        w.sim.link(a.host, b.host, LinkProfile.latency(20).withLoss(1.0)); // direct traffic between the two sites is lost
        assertTrue(w.runUntil(w::allOnline, 5_000));
        a.run(() -> a.node.remember(Pool.get(3).identity(), b.local));
        a.userMessage(b.node.address(), "via relay");
        assertTrue(w.runUntil(() -> b.texts().contains("via relay"), 10_000), () -> "a: " + a.events + " " + a.node.counters());
        assertTrue(a.node.relayed(b.node.fingerprint()));
        assertTrue(b.node.relayed(a.node.fingerprint()));
        b.userMessage(a.node.address(), "back via relay");
        assertTrue(w.runUntil(() -> a.texts().contains("back via relay"), 10_000), () -> "b: " + b.events + " " + b.node.counters());
        long forwarded = w.root(0).node.count(NodeCounter.RELAY_FORWARDED) + w.root(1).node.count(NodeCounter.RELAY_FORWARDED);
        assertTrue(forwarded >= 4, "forwarded " + forwarded);
    }

    @Test
    void oneRootDiesMembersStayOnlineAndANewPairConnectsThroughTheOther() {
        World w = new World(6, 2, 3);
        assertTrue(w.runUntil(w::allOnline, 5_000));
        SimNode b = w.member(1), c = w.member(2);
        c.run(() -> c.node.lookup(b.node.address())); // while both roots live: two agree
        assertTrue(w.runUntil(() -> c.node.cachedFingerprint(b.node.address()).isPresent(), 5_000));
        w.sim.partition(List.of(w.root(0).host)); // r1 is cut off
        w.run(90_000);
        assertTrue(w.allOnline(), "members stay online through r2");
        for (SimNode m : w.members) assertFalse(m.events(NodeEvent.Offline.class).size() > 0, m + " went offline");
        c.userMessage(b.node.address(), "through r2");
        assertTrue(w.runUntil(() -> b.texts().contains("through r2"), 10_000), () -> "c: " + c.events + " " + c.node.counters());
        b.userMessage(c.node.address(), "back through r2");
        assertTrue(w.runUntil(() -> c.texts().contains("back through r2"), 10_000), () -> "b: " + b.events + " " + b.node.counters());
        assertTrue(w.root(1).node.count(NodeCounter.RELAY_FORWARDED) > 0);
        w.sim.heal();
        assertTrue(w.runUntil(() -> w.root(0).node.registered(c.node.address()).isPresent() && w.members.stream().allMatch(m -> m.node.count(NodeCounter.SESSION_DEAD) > 0), 30_000));
    }

    @Test
    void e17RelayBlockStopsRelayedHellosFromAnOrigin() {
        World w = new World(7, 2, 3);
        assertTrue(w.runUntil(w::allOnline, 5_000));
        SimNode a = w.member(0), b = w.member(1);
        b.run(() -> b.node.block(a.node.address(), 3_600));
        w.run(500);
        a.userMessage(b.node.address(), "let me in");
        w.run(15_000);
        assertEquals(List.of(), b.texts());
        assertFalse(b.node.hasSession(a.node.fingerprint()));
        assertEquals(List.of(), b.events(NodeEvent.SessionUp.class).stream().filter(e -> e.peer().equals(a.node.fingerprint())).toList());
        long blocked = w.root(0).node.count(NodeCounter.RELAY_BLOCKED) + w.root(1).node.count(NodeCounter.RELAY_BLOCKED);
        assertTrue(blocked > 0, "the roots dropped relayed datagrams from a to b");
        assertNotEquals(0, a.node.count(NodeCounter.ERROR_RECEIVED), "a was told RELAY_DENIED (blocked)");
        // lifting the block lets the next attempt through
        b.run(() -> b.node.block(a.node.address(), 0));
        w.run(500);
        a.userMessage(b.node.address(), "now?");
        assertTrue(w.runUntil(() -> b.texts().contains("now?"), 10_000), () -> "a: " + a.events);
    }

    @Test
    void partitionsHeal() {
        World w = new World(8, 2, 3);
        assertTrue(w.runUntil(w::allOnline, 5_000));
        w.sim.partition(List.of(w.root(0).host, w.root(1).host)); // members cut off from both roots
        w.run(70_000);
        for (SimNode m : w.members) assertFalse(m.node.isOnline(), m + " still online");
        w.sim.heal();
        assertTrue(w.runUntil(w::allOnline, 10_000), "online again within 10 s of the heal");
        SimNode a = w.member(0), c = w.member(2);
        a.userMessage(c.node.address(), "after heal");
        assertTrue(w.runUntil(() -> c.texts().contains("after heal"), 10_000));
    }

    @Test
    void verificationQueueRefusesAThirdFromOnePrefixWithRateLimitedAndTheNodeRetries() {
        dev.planetary.vl1.sim.Simulator sim = new dev.planetary.vl1.sim.Simulator(12);
        sim.defaultProfile(LinkProfile.latency(20));
        // one verification per 5 s: the queue fills; four members share one /24
        SimNode r = new SimNode("r", sim.publicHost("r", "198.51.100.1"), 9993, Pool.get(0), l -> NodeConfig.root(l).withVerificationsPerSecond(0.2));
        List<RootInfo> roots = List.of(r.rootInfo(Pool.get(0)));
        List<SimNode> ms = new java.util.ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            ms.add(new SimNode("m" + i, sim.publicHost("m" + i, "203.0.113." + (10 + i)), 9993, Pool.get(i), l -> NodeConfig.member(l, roots)));
        }
        assertTrue(sim.runUntil(() -> ms.stream().allMatch(m -> m.node.isOnline()), 120_000), () -> r.node.counters().toString());
        assertTrue(r.node.count(NodeCounter.VERIFICATION_REFUSED) >= 1, "≤ 2 queued per prefix (§2.6)");
        assertTrue(ms.stream().mapToLong(m -> m.node.count(NodeCounter.ERROR_RECEIVED)).sum() >= 1, "ERROR RATE_LIMITED in answer to the HELLO");
        assertEquals(4, r.node.count(NodeCounter.VERIFIED));
    }

    @Test
    void messagesWaitingForALookupAreBoundedOldestOut() {
        World w = new World(13, 2, 2);
        assertTrue(w.runUntil(w::allOnline, 5_000));
        SimNode a = w.member(0), b = w.member(1);
        a.run(() -> {
            for (int i = 0; i < 40; i++) a.node.sendUserMessage(b.node.address(), 70_000, ("m" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        });
        assertTrue(w.runUntil(() -> b.texts().size() >= 32, 10_000));
        w.run(2_000);
        assertEquals(32, b.texts().size(), "≤ 32 queued per destination (§5.10)");
        assertTrue(b.texts().contains("m39") && !b.texts().contains("m7"), "oldest first out");
        assertEquals(8, a.node.count(NodeCounter.QUEUE_DROPPED));
    }

    @Test
    void aRelayedX3MustClaimItsOriginElseRefusedAndBlocked() {
        World w = new World(14, 2, 3);
        assertTrue(w.runUntil(w::allRootsAlive, 10_000));
        SimNode a = w.member(0), b = w.member(1), c = w.member(2);
        a.run(() -> a.node.forgeClaimedAddress(c.node.address())); // a's X3 will claim c's address
        a.userMessage(b.node.address(), "i am c");
        w.run(8_000);
        assertTrue(b.node.count(NodeCounter.RELAY_ADDRESS_MISMATCH) >= 1, () -> "b: " + b.node.counters());
        assertFalse(b.node.hasSession(a.node.fingerprint()));
        assertEquals(List.of(), b.texts());
        long blocked = w.root(0).node.count(NodeCounter.RELAY_BLOCKED) + w.root(1).node.count(NodeCounter.RELAY_BLOCKED);
        assertTrue(blocked > 0, "b sent RELAY_BLOCK for a to the root (§5.4) and the root drops a's relayed Hellos");
    }
}
