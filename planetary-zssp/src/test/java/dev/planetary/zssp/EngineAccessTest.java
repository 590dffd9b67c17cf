package dev.planetary.zssp;

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
    void aSecondInstallIsRefused() {
        new Context<>(StaticKeyPair.generate(), new InternalFaultTest.BrokenClock()).close();
        assertThrows(IllegalStateException.class, () -> EngineAccess.install(new Fabricated()));
    }
}
