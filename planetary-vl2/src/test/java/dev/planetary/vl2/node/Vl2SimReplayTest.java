package dev.planetary.vl2.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * A seed replays a VL2 world exactly, as VL1's do ({@code RootFloodSimTest.oneSeedGivesOneTrace}):
 * {@link Vl2World}'s fixed identities, its nodes' engine-local seeds and randomness from their
 * simulated hosts ({@code SeededNodes}), and the member engine's and the multicaster's randomness
 * from the host too ({@link PortedMember}). The world is {@link FirstPingSimTest}'s with the
 * controller cut off: joins, credentials, GATHERs answered by a common peer, a first ping.
 */
class Vl2SimReplayTest {
    @Test
    void oneSeedGivesOneTrace() {
        FirstPingSimTest.Run a = FirstPingSimTest.run(7, true), b = FirstPingSimTest.run(7, true);
        assertEquals(a, b, "two runs of seed 7 delivered different datagrams");
    }
}
