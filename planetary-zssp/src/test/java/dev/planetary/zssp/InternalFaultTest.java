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
    }
}
