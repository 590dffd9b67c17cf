package dev.planetary.vl2.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** §9.6: bridges are included first in every sender-side replication (§10.4 step 4), within the multicast limit. */
class BridgeReplicationTest {
    static final long SELF = 1;

    @Test
    void bridgesComeFirstOnceEachNeverSelfWithinTheLimit() {
        SplittableRandom rng = new SplittableRandom(9);
        List<Long> members = LongStream.rangeClosed(1, 40).boxed().toList(); // self and 39 others
        List<Long> bridges = List.of(30L, SELF, 7L, 30L);
        for (int round = 0; round < 200; round++) {
            int limit = 1 + rng.nextInt(45);
            List<Long> to = MulticastSender.recipients(bridges, members, SELF, limit, rng);
            assertEquals(Math.min(limit, 39), to.size());
            assertEquals(to.size(), new HashSet<>(to).size(), "each once");
            assertFalse(to.contains(SELF));
            assertEquals(List.of(30L, 7L).subList(0, Math.min(2, limit)), to.subList(0, Math.min(2, limit)), "the bridges first");
        }
        assertEquals(List.of(30L), MulticastSender.recipients(List.of(30L), List.of(), SELF, 8, rng), "a bridge gets it with nobody else known");
    }
}
