package dev.planetary.zssp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * The anti-replay window of spec §7.8: {@code check(c)} iff {@code s < c+1 ≤ s + 2^24} (unsigned,
 * {@code s = W[c mod 128]}, {@code c+1} saturating), {@code update} = check then record. Compared
 * against a {@link BigInteger} model, at unsigned edges, and under concurrent updates.
 */
class ReplayWindowTest {
    static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);
    static final BigInteger MAX = TWO_64.subtract(BigInteger.ONE);
    static final BigInteger SKIP = BigInteger.ONE.shiftLeft(24);

    /** The §7.8 rule on unbounded integers. */
    static final class Model {
        final BigInteger[] w = new BigInteger[128];

        Model() {
            java.util.Arrays.fill(w, BigInteger.ZERO);
        }

        boolean check(long c) {
            BigInteger u = new BigInteger(Long.toUnsignedString(c));
            BigInteger a = u.add(BigInteger.ONE).min(MAX);
            BigInteger s = w[(int) (c & 127)];
            return s.compareTo(a) < 0 && a.compareTo(s.add(SKIP)) <= 0;
        }

        boolean update(long c) {
            if (!check(c)) return false;
            BigInteger u = new BigInteger(Long.toUnsignedString(c));
            w[(int) (c & 127)] = u.add(BigInteger.ONE).min(MAX);
            return true;
        }
    }

    static void preset(ReplayWindow w, Model m, int slot, long value) {
        w.preset(slot, value);
        m.w[slot] = new BigInteger(Long.toUnsignedString(value));
    }

    @Test
    void freshWindow() {
        ReplayWindow w = new ReplayWindow();
        assertTrue(w.check(0));
        assertTrue(w.check((1L << 24) - 1), "c + 1 = 2^24 is the furthest a fresh slot accepts");
        assertFalse(w.check(1L << 24));
        assertFalse(w.check(-1L), "2^64 - 1 is far ahead of a fresh slot");
        assertFalse(w.check(Long.MIN_VALUE), "2^63 is not negative: far ahead, not behind");
        assertTrue(w.check(0), "check changes nothing");
        assertTrue(w.update(0));
        assertFalse(w.update(0), "a counter is accepted once");
        assertFalse(w.check(0));
    }

    @Test
    void slotsAreIndependentAndOlderCountersInASlotAreRefused() {
        ReplayWindow w = new ReplayWindow();
        assertTrue(w.update(200)); // slot 72
        assertTrue(w.check(199));
        assertTrue(w.update(5));
        assertFalse(w.check(72), "older than the newest counter of its slot");
        assertTrue(w.check(328), "the next counter of that slot");
        assertTrue(w.update(200 + (1L << 24)), "exactly 2^24 past the slot's newest is still accepted");
        assertFalse(w.check(200 + 128 + (2L << 24)));
    }

    @Test
    void unsignedEdges() {
        ReplayWindow w = new ReplayWindow();
        Model m = new Model();
        long below = Long.MAX_VALUE - 126; // 2^63 − 127 ≡ 1 (mod 128)
        preset(w, m, 1, below + 1);
        long above = Long.MIN_VALUE + 1; // 2^63 + 1, also slot 1, across the sign bit
        assertTrue(m.check(above));
        assertTrue(w.update(above), "2^63 + 1 is 128 past 2^63 − 127, not 'negative'");
        assertTrue(m.update(above));
        assertFalse(w.check(below), "2^63 − 127 is older now (a signed compare would accept it)");
        assertFalse(m.check(below));

        preset(w, m, 127, -128L); // slot 127 newest = 2^64 − 129
        assertTrue(m.check(-1L));
        assertTrue(w.update(-1L), "2^64 − 1: c + 1 saturates at 2^64 − 1");
        assertFalse(w.update(-1L), "then never again");
        assertFalse(w.check(127), "no wrap-around to small counters");
        assertFalse(w.check(-129L));
    }

    @Test
    void matchesTheModelOnRandomTraffic() {
        long[] bases = {0, (1L << 31) - 64, (1L << 32) - 64, Long.MAX_VALUE - 5_000, -20_000L};
        for (int run = 0; run < 200; run++) {
            SplittableRandom r = new SplittableRandom(run);
            ReplayWindow w = new ReplayWindow();
            Model m = new Model();
            long base = bases[run % bases.length];
            if (base != 0) {
                for (int i = 0; i < 128; i++) { // as if counters base − 128 … base − 1 had been received
                    long k = base - 128 + i;
                    preset(w, m, (int) (k & 127), k + 1);
                }
            }
            long frontier = base;
            for (int step = 0; step < 2_000; step++) {
                long c = switch (r.nextInt(6)) {
                    case 0 -> frontier + r.nextInt(300) - 150; // reordering
                    case 1 -> frontier - r.nextInt(2_000); // old and replays
                    case 2 -> frontier + (1L << 24) - 64 + r.nextInt(256); // around the skip-ahead bound
                    case 3 -> r.nextLong(); // anything
                    default -> frontier++;
                };
                boolean update = r.nextBoolean();
                boolean expected = update ? m.update(c) : m.check(c);
                boolean actual = update ? w.update(c) : w.check(c);
                if (expected != actual) {
                    throw new AssertionError("run " + run + " step " + step + ": " + (update ? "update(" : "check(") + Long.toUnsignedString(c) + ") = " + actual + ", model says " + expected);
                }
            }
        }
    }

    /** Slots are 32-bit until a value needs more, then 64-bit for good; the rule holds across the change. */
    @Test
    void widensOnceACounterNeedsMoreThan32Bits() {
        ReplayWindow w = new ReplayWindow();
        Model m = new Model();
        long c = (1L << 32) - 130; // slot 126; its c + 1 = 2^32 − 129 still fits
        for (int i = 0; i < 128; i++) preset(w, m, (int) ((c - 128 + i) & 127), c - 128 + i + 1); // c − 128 … c − 1 received
        assertFalse(w.isWide());
        for (int i = 0; i < 128; i++) assertTrue(w.update(c + i) && m.update(c + i), "counter " + (c + i));
        assertFalse(w.isWide(), "c + 1 = 2^32 − 2 is the largest narrow value");
        assertTrue(w.update(c + 128), "c + 1 = 2^32 − 1 needs 64 bits");
        assertTrue(m.update(c + 128));
        assertTrue(w.isWide());
        for (long k = c - 10; k < c + 300; k++) assertEquals(m.check(k), w.check(k), "check(" + k + ") after widening");
        assertFalse(w.update(c + 5), "replays stay refused after widening");
        assertTrue(w.update(c + 129) && m.update(c + 129));
    }

    @Test
    void concurrentUpdatesHaveExactlyOneWinnerPerCounter() throws Exception {
        concurrentUpdates(0);
    }

    /** As above across the 2^32 boundary: threads race with the widening of the slots. */
    @Test
    void concurrentUpdatesAcrossTheWideningHaveExactlyOneWinnerPerCounter() throws Exception {
        concurrentUpdates((1L << 32) - 100_000);
    }

    private static void concurrentUpdates(long first) throws Exception {
        int threads = 4;
        int counters = 200_000;
        ReplayWindow w = new ReplayWindow();
        for (int i = 0; i < 128; i++) { // as if first − 128 … first − 1 had been received
            long k = first - 128 + i;
            if (k >= 0) w.preset((int) (k & 127), k + 1);
        }
        AtomicIntegerArray wins = new AtomicIntegerArray(counters);
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
                // All threads walk the same counters upwards, racing on each: the first attempt at a
                // counter cannot find a newer one in its slot (whoever tried that one tried this one
                // before), so every counter has a winner, and the CAS allows only one.
                for (int c = 0; c < counters; c++) if (w.update(first + c)) wins.incrementAndGet(c);
            });
            th.start();
            ts.add(th);
        }
        for (Thread th : ts) th.join();
        for (int c = 0; c < counters; c++) {
            if (wins.get(c) != 1) throw new AssertionError("counter " + c + " accepted " + wins.get(c) + " times");
        }
    }
}
