package dev.planetary.zssp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Regression tests for the timer fixes the simulations found: timers survive a backwards clock
 * jump (spec §0: time need not be monotonic), and a passed deadline (B2 lifetime, S1/R1/R2 timeout)
 * takes effect when a late packet arrives even if {@link Context#service()} has not run since.
 */
class TimerDeadlineTest {
    static final long HOUR = 3_600_000;

    @Test
    void aBackwardsClockJumpDoesNotStallTheHello() {
        SimNetwork net = new SimNetwork(11);
        SimNetwork.Node a = net.node("alice", Settings.defaults());
        SimNetwork.Node b = net.node("bob", Settings.defaults());
        net.connect(a, b, 1432);
        a.linkTo(b).up = false; // the first Hello is lost
        Session<String> s = a.open(b);
        net.runUntil(500);
        a.jumpClock(-2 * HOUR);
        a.linkTo(b).up = true;
        net.runUntil(500 + 2 * Settings.defaults().resendTime());
        assertTrue(s.isEstablished(), "the Hello resend fires within one resend interval of the jump, not two hours later");
    }

    @Test
    void aBackwardsClockJumpDoesNotPostponeRekeyingByHours() {
        Settings st = Settings.defaults().withRekeyAfterTime(10_000, 1_000);
        SimNetwork net = new SimNetwork(12);
        SimNetwork.Node a = net.node("alice", st);
        SimNetwork.Node b = net.node("bob", st);
        net.connect(a, b, 1432);
        int[] rekeys = new int[1];
        net.listener = (at, from, r) -> {
            if (r instanceof Event.RekeyCompleted<String>) rekeys[0]++;
        };
        Session<String> s = a.open(b);
        net.runUntil(1_000);
        assertTrue(s.isEstablished());
        a.jumpClock(-3 * HOUR);
        b.jumpClock(-5 * HOUR);
        net.runUntil(1_000 + 2 * 10_000);
        assertTrue(rekeys[0] >= 2, "rekeyed within rekeyAfterTime of the jump");
        assertEquals(Session.State.S2, s.state());
    }

    @Test
    void aPendingHandshakeCreatedBeforeABackwardsJumpStillExpires() {
        SecurityFlagTest.Bench b = new SecurityFlagTest.Bench();
        b.alice.open(b.bob);
        b.deliverAll();
        assertEquals(1, b.bob.ctx.pendingHandshakes());
        b.bob.jumpClock(-HOUR);
        b.bob.service();
        assertEquals(0, b.bob.ctx.pendingHandshakes());
        assertEquals(0, b.bob.ctx.kids.size());
    }

    @Test
    void aCompletionAfterThePendingLifetimeIsDroppedEvenWithoutService() {
        SecurityFlagTest.Bench b = new SecurityFlagTest.Bench();
        Session<String> s = b.alice.open(b.bob);
        b.deliverAll(); // Hello
        b.deliverAll(); // Response; the Completion is now in flight
        assertEquals(Session.State.A3, s.state());
        b.net.now += Settings.defaults().pendingHandshakeTimeout(); // Bob's service has not run
        RatchetPair before = b.bob.stored(b.alice);
        Received<String> r = b.deliverAll();
        assertEquals(Fault.OUT_OF_SEQUENCE, assertInstanceOf(Received.Dropped.class, r).fault());
        assertTrue(b.bob.ctx.sessions().isEmpty());
        assertEquals(before, b.bob.stored(b.alice), "a stale Completion must not move the ratchet (lockout race)");
        assertEquals(0, b.bob.ctx.pendingHandshakes());
    }

    @Test
    void aRekeyCompleteAfterTheR1TimeoutIsDroppedAndTheRatchetStays() {
        SecurityFlagTest.Bench b = new SecurityFlagTest.Bench();
        Session<String> s = b.alice.open(b.bob);
        b.settle();
        assertEquals(Session.State.S2, s.state());
        Session<String> bob = b.bob.ctx.sessions().iterator().next();
        b.net.now = bob.timeoutAt; // Bob's S2 timer: Bob starts a rekey (I)
        b.bob.service();
        assertEquals(Session.State.R1, bob.state());
        b.deliverAll(); // K1 → Alice (R2); K2 in flight
        assertEquals(Session.State.R2, s.state());
        RatchetPair before = b.bob.stored(b.alice);
        b.net.now += Settings.defaults().rekeyTimeout(); // Bob's R1 deadline passes, no service call
        Received<String> r = b.deliverAll(); // the late K2
        assertEquals(Fault.OUT_OF_SEQUENCE, assertInstanceOf(Received.Dropped.class, r).fault());
        assertTrue(bob.isExpired());
        assertEquals(before, b.bob.stored(b.alice), "a dead R1 must not move the ratchet");
        assertTrue(b.bob.ctx.sessions().isEmpty());
    }
}
