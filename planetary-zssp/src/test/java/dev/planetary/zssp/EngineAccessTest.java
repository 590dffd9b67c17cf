package dev.planetary.zssp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.zssp.internal.EngineAccess;
import org.junit.jupiter.api.Test;

/** The benchmarks' internal entry point: it builds a live session, and nobody can replace the engine's side. */
class EngineAccessTest {

    @Test
    void establishRegistersAnEstablishedSessionUnderItsKid() {
        Context<String> ctx = new Context<>(StaticKeyPair.generate(), new InternalFaultTest.BrokenClock());
        Remote sink = (d, off, len) -> {};
        EngineAccess.Established<String> e = EngineAccess.establish(ctx, StaticKeyPair.generate().publicKey(), "peer", sink, 7);
        assertTrue(e.session().isEstablished());
        assertEquals(1, ctx.sessions().size());
        assertSame(e.session(), ctx.kids.get(e.kid()));
    }

    @Test
    void aSeededContextWithASeededRandomSendsTheSameHello() {
        StaticKeyPair local = StaticKeyPair.generate(new SimRandom(1)), peer = StaticKeyPair.generate(new SimRandom(2));
        byte[][] sent = new byte[2][];
        for (int i = 0; i < 2; i++) {
            int run = i;
            Context<String> ctx = EngineAccess.seededContext(local, new InternalFaultTest.BrokenClock(), Settings.defaults(), new SimRandom(3), 4);
            Remote sink = (d, off, len) -> {
                if (sent[run] == null) sent[run] = java.util.Arrays.copyOfRange(d, off, off + len);
            };
            try {
                ctx.open(peer.publicKey(), "peer", new byte[0], sink);
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
            assertEquals(local.publicKey(), ctx.localPublicKey());
        }
        assertArrayEquals(sent[0], sent[1], "one seed, one first datagram");
    }

    @Test
    void aSecondInstallIsRefused() {
        new Context<>(StaticKeyPair.generate(), new InternalFaultTest.BrokenClock()).close();
        assertThrows(IllegalStateException.class, () -> EngineAccess.install(new Fabricated()));
    }
}
