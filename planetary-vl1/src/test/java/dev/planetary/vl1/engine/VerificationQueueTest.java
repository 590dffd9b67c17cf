package dev.planetary.vl1.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The §2.6 queue rules: ≤ 2 per prefix, round robin, and the admission rule when full. */
class VerificationQueueTest {

    @Test
    void atMostTwoPerPrefixAndRoundRobin() {
        VerificationQueue<String> q = new VerificationQueue<>(256, 2, new java.util.SplittableRandom(1));
        assertInstanceOf(VerificationQueue.Offer.Admitted.class, q.offer("p", "p1"));
        assertInstanceOf(VerificationQueue.Offer.Admitted.class, q.offer("p", "p2"));
        assertInstanceOf(VerificationQueue.Offer.Refused.class, q.offer("p", "p3"), "a third from one prefix is refused");
        q.offer("q", "q1");
        q.offer("r", "r1");
        List<String> order = new ArrayList<>();
        for (String s; (s = q.poll()) != null; ) order.add(s);
        assertEquals(List.of("p1", "q1", "r1", "p2"), order);
        assertNull(q.poll());
        assertEquals(0, q.size());
    }

    @Test
    void whenFullAPrefixWithFewerEntriesDisplacesTheOldestOfTheFullest() {
        VerificationQueue<String> q = new VerificationQueue<>(4, 2, new java.util.SplittableRandom(1));
        q.offer("a", "a1");
        q.offer("a", "a2");
        q.offer("b", "b1");
        q.offer("c", "c1");
        var o = q.offer("d", "d1"); // d has 0 < 2 (a's count): admitted, a's oldest evicted
        assertEquals("a1", assertInstanceOf(VerificationQueue.Offer.AdmittedEvicting.class, o).evicted());
        assertInstanceOf(VerificationQueue.Offer.Refused.class, q.offer("b", "b2"), "b has 1, the fullest has 1: refused");
        assertEquals(4, q.size());
    }

    @Test
    void aFloodFromFewerPrefixesCannotDisplaceALoneEntry() {
        VerificationQueue<String> q = new VerificationQueue<>(256, 2, new java.util.SplittableRandom(1));
        q.offer("lone", "x");
        for (int p = 0; p < 254; p++) for (int k = 0; k < 3; k++) q.offer("f" + p, "f" + p + "-" + k);
        assertEquals(256, q.size());
        List<String> all = new ArrayList<>();
        for (String s; (s = q.poll()) != null; ) all.add(s);
        assertEquals(true, all.contains("x"));
    }

    @Test
    void aTieAmongLoneEntriesEvictsARandomOneAndNeverForACrowdedPrefix() {
        java.util.Set<String> victims = new java.util.HashSet<>();
        for (long seed = 0; seed < 200; seed++) {
            VerificationQueue<String> q = new VerificationQueue<>(8, 2, new java.util.SplittableRandom(seed));
            for (int p = 0; p < 8; p++) q.offer("p" + p, "e" + p);
            assertInstanceOf(VerificationQueue.Offer.Refused.class, q.offer("p0", "e0b"), "a crowded prefix never displaces a lone entry");
            var o = q.offer("new", "n");
            victims.add((String) assertInstanceOf(VerificationQueue.Offer.AdmittedEvicting.class, o).evicted());
        }
        assertEquals(8, victims.size(), "every lone entry is a possible victim, none a predictable one: " + victims);
    }
}
