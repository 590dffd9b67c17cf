package dev.planetary.vl1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.planetary.vl1.Node.Direct;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The path table's state machine and limits with exact virtual times (VL.md §5.1, §5.2, §5.11). */
class PeerPathsTest {
    static final InetSocketAddress LOCAL = new InetSocketAddress("0.0.0.0", 9993);

    static Direct d(String ip, int port) {
        return new Direct(LOCAL, new InetSocketAddress(ip, port));
    }

    static List<Direct> tick(PeerPaths t, long now) {
        List<Direct> l = new ArrayList<>();
        t.tick(now, l);
        return l;
    }

    @Test
    void candidateProbesAtZeroHalfOneAndAHalfThreeAndAHalfSecondsThenGivesUpAt10s() {
        PeerPaths t = new PeerPaths();
        Direct x = d("203.0.113.5", 1000);
        assertEquals(PeerPaths.Learned.NEW, t.learn(x, 0, PeerPaths.LEARNED_PROBES, false));
        List<Long> probedAt = new ArrayList<>();
        for (long now = 0; now < 20_000; now += 50) if (!tick(t, now).isEmpty()) probedAt.add(now);
        assertEquals(List.of(0L, 500L, 1_500L, 3_500L), probedAt);
        assertNull(t.get(x), "deleted after T_CANDIDATE_GIVEUP");
        t.learn(x, 20_000, PeerPaths.LEARNED_PROBES, false);
        tick(t, 29_999);
        assertEquals(PeerPaths.State.CANDIDATE, t.get(x).state);
        tick(t, 30_000);
        assertNull(t.get(x));
    }

    @Test
    void aliveFor19sThenStaleThenDeletedAt243s() {
        PeerPaths t = new PeerPaths();
        Direct x = d("10.0.0.7", 9993);
        t.confirm(x, 1_000);
        tick(t, 1_000 + Vl1Limits.T_PATH_ALIVE - 1);
        assertEquals(PeerPaths.State.ALIVE, t.get(x).state);
        assertEquals(x, t.choosePreferred());
        tick(t, 1_000 + Vl1Limits.T_PATH_ALIVE);
        assertEquals(PeerPaths.State.STALE, t.get(x).state);
        assertNull(t.choosePreferred(), "a stale path is not preferred: the relay takes over");
        assertEquals(x, t.bestStale());
        assertTrue(t.received(x, 50_000));
        assertEquals(PeerPaths.State.ALIVE, t.get(x).state, "receipt → alive");
        tick(t, 50_000 + Vl1Limits.T_PATH_EXPIRE - 1);
        assertEquals(PeerPaths.State.STALE, t.get(x).state);
        tick(t, 50_000 + Vl1Limits.T_PATH_EXPIRE);
        assertNull(t.get(x));
    }

    @Test
    void atMost16CandidatesAndAtMost64PathsEvictingTheOldestReceipt() {
        PeerPaths t = new PeerPaths();
        int refused = 0;
        for (int i = 0; i < 40; i++) if (t.learn(d("203.0.113." + i, 1), 0, PeerPaths.LEARNED_PROBES, false) == PeerPaths.Learned.REFUSED) refused++;
        assertEquals(16, t.size());
        assertEquals(24, refused);
        PeerPaths u = new PeerPaths();
        for (int i = 0; i < 100; i++) u.confirm(d("198.18." + (i / 200) + "." + (i % 200), 2), i);
        assertEquals(Vl1Limits.MAX_PATHS_PER_PEER, u.size());
        assertNull(u.get(d("198.18.0.0", 2)), "the oldest receipt went first");
        assertTrue(u.get(d("198.18.0.99", 2)) != null);
    }

    @Test
    void preferredPathHasHysteresisAndGlobalPenalty() {
        PeerPaths t = new PeerPaths();
        Direct pub = d("203.0.113.1", 1), lan = d("192.168.1.2", 1);
        t.confirm(pub, 0);
        t.sample(pub, 20);
        assertEquals(pub, t.choosePreferred());
        t.confirm(lan, 0);
        t.sample(lan, 19); // 19 < 0.8 × 25 = 20: switch (global +5 ms)
        assertEquals(lan, t.choosePreferred());
        t.sample(pub, 10);
        t.sample(pub, 10);
        t.sample(pub, 10); // pub EWMA ≈ 14.2 + 5 = 19.2; not below 0.8 × 19 = 15.2: stay
        assertEquals(lan, t.choosePreferred());
    }

    @Test
    void aProbeIsConfirmedOnlyByAnAnswerFromTheProbedEndpoint() {
        PeerPaths t = new PeerPaths();
        Direct x = d("203.0.113.9", 7), y = d("203.0.113.10", 7);
        t.learn(x, 0, PeerPaths.LEARNED_PROBES, false);
        t.probeSent(42, x);
        assertFalse(t.probeAnswered(42, y), "answer from another endpoint");
        assertFalse(t.probeAnswered(43, x), "unknown request id");
        assertTrue(t.probeAnswered(42, x));
        assertFalse(t.probeAnswered(42, x), "once");
    }

    @Test
    void scopes() {
        assertEquals(PeerPaths.Scope.PRIVATE, PeerPaths.scope(new InetSocketAddress("100.64.1.1", 1).getAddress()));
        assertEquals(PeerPaths.Scope.PRIVATE, PeerPaths.scope(new InetSocketAddress("fd00::1", 1).getAddress()));
        assertEquals(PeerPaths.Scope.LINK_LOCAL, PeerPaths.scope(new InetSocketAddress("169.254.3.3", 1).getAddress()));
        assertEquals(PeerPaths.Scope.GLOBAL, PeerPaths.scope(new InetSocketAddress("100.128.0.1", 1).getAddress()));
        assertTrue(PeerPaths.unusable(new InetSocketAddress("0.0.0.0", 1).getAddress(), 1));
        assertTrue(PeerPaths.unusable(new InetSocketAddress("203.0.113.1", 0).getAddress(), 0));
    }
}
