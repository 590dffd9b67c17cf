package dev.planetary.zssp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** An engine error while processing a datagram is reported as {@link Fault#INTERNAL}, not blamed on the packet. */
class InternalFaultTest {

    /** An application whose clock fails: every receive hits an unexpected exception inside the engine. */
    static final class BrokenClock implements Application.WithoutRatchetStorage<String> {
        boolean broken;

        @Override
        public long time() {
            if (broken) throw new IllegalStateException("clock source failed");
            return 1_000;
        }

        @Override
        public AcceptDecision<String> checkAcceptSession(StaticPublicKey remoteStatic, byte[] identity, Remote source) {
            return AcceptDecision.accept("peer", false, false);
        }
    }

    @Test
    void anEngineErrorIsItsOwnFaultAndCounted() {
        BrokenClock app = new BrokenClock();
        Context<String> ctx = new Context<>(StaticKeyPair.generate(), app);
        byte[] datagram = new byte[64];
        Remote from = new Remote() {
            @Override
            public void send(byte[] d, int off, int len) {}

            @Override
            public int mtu() {
                return 1432;
            }
        };
        Received.Dropped<?> ok = assertInstanceOf(Received.Dropped.class, ctx.receive(datagram, from));
        assertEquals(Fault.INVALID_PACKET, ok.fault(), "control: a bad packet is the packet's fault");
        app.broken = true;
        Received.Dropped<?> d = assertInstanceOf(Received.Dropped.class, ctx.receive(datagram, from));
        assertEquals(Fault.INTERNAL, d.fault());
        assertFalse(d.natural());
        assertTrue(d.reason().contains("IllegalStateException"), d.reason());
        assertEquals(1, ctx.internalErrorCount());
        assertInstanceOf(IllegalStateException.class, ctx.lastInternalError());
        assertEquals(Settings.defaults().resendTime(), ctx.service(), "a timer pass that fails asks to be called again, it does not throw");
        assertEquals(2, ctx.internalErrorCount());
        assertEquals(2, ctx.errors.kindsLogged(), "one kind in receive, one in service");
    }

    /**
     * A bug inside a step (here the transport's send throws) in a timer pass and in a receive: each is
     * counted, each kind logged once, the receive reports {@link Fault#INTERNAL}, and the session
     * recovers once the bug is gone (the state was entered before the packet was sent).
     */
    @Test
    void aBugInsideATimerOrReceiveStepIsCountedLoggedOnceAndSurvived() {
        SecurityFlagTest.Bench b = new SecurityFlagTest.Bench();
        Session<String> a = b.alice.open(b.bob);
        b.settle();
        Session<String> bob = b.bob.ctx.sessions().iterator().next();
        b.bob.linkTo(b.alice).broken = new IllegalStateException("transport bug");
        b.net.now = bob.timeoutAt;
        b.bob.service(); // the S2 timeout sends K1: the send throws inside the pass
        assertEquals(Session.State.R1, bob.state());
        b.net.now += Settings.defaults().resendTime();
        b.bob.service(); // the resend throws again: the same kind
        assertEquals(2, b.bob.ctx.internalErrorCount());
        assertEquals(1, b.bob.ctx.errors.kindsLogged(), "one kind, logged once");

        b.bob.linkTo(b.alice).broken = null;
        b.alice.linkTo(b.bob).broken = new IllegalStateException("transport bug");
        b.net.now += Settings.defaults().resendTime();
        b.bob.service(); // K1 resent
        Received.Dropped<?> d = assertInstanceOf(Received.Dropped.class, b.deliverAll()); // Alice's K2 send throws
        assertEquals(Fault.INTERNAL, d.fault());
        assertFalse(d.natural());
        assertEquals(1, b.alice.ctx.internalErrorCount());
        assertEquals(1, b.alice.ctx.errors.kindsLogged());

        b.alice.linkTo(b.bob).broken = null;
        b.net.now += Settings.defaults().resendTime();
        b.alice.service(); // K2 resent
        b.settle();
        assertEquals(Session.State.S2, a.state());
        assertEquals(Session.State.S2, bob.state());
        assertEquals(2, a.ratchetChainLength(), "the rekey completed");
    }
}
