package dev.planetary.zssp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The per-address challenge budget: burst, refill rate, independence of addresses, bad settings. */
class ChallengeBudgetTest {
    private static final byte[] A = {127, 0, 0, 1, 0x1f, 0x40};
    private static final byte[] B = {127, 0, 0, 1, 0x1f, 0x41};

    private static int taken(ChallengeBudget b, byte[] address, long nowMs, int tries) {
        int n = 0;
        for (int i = 0; i < tries; i++) if (b.take(address, nowMs)) n++;
        return n;
    }

    @Test
    void aBurstOfPerSecondThenNothingUntilItRefills() {
        ChallengeBudget b = new ChallengeBudget(20, 42);
        assertEquals(20, taken(b, A, 1_000, 1_000));
        assertFalse(b.take(A, 1_000));
        assertFalse(b.take(A, 1_049), "one challenge every 50 ms at 20/s");
        assertTrue(b.take(A, 1_050));
        assertFalse(b.take(A, 1_050));
        assertEquals(20, taken(b, A, 10_000, 1_000), "a long pause refills the whole burst and no more");
    }

    @Test
    void aSustainedFloodGetsTheRateAndNoMore() {
        ChallengeBudget b = new ChallengeBudget(20, 7);
        int n = 0;
        for (long ms = 0; ms < 10_000; ms++) n += taken(b, A, ms, 100); // 100 Hellos per ms for 10 s
        assertTrue(n >= 20 * 10 && n <= 20 * 10 + 20, "10 s at 20/s plus one burst, got " + n);
    }

    @Test
    void oneAddressExhaustingItsBudgetLeavesAnotherAlone() {
        // Colliding addresses share a bucket; over many keys almost none collide for two addresses.
        SplittableRandom keys = new SplittableRandom(1);
        int independent = 0;
        for (int k = 0; k < 200; k++) {
            ChallengeBudget b = new ChallengeBudget(5, keys.nextLong());
            taken(b, A, 0, 100);
            if (b.take(B, 0)) independent++;
        }
        assertTrue(independent >= 195, "B kept its budget for " + independent + " of 200 keys");
    }

    @Test
    void anHonestResendRateNeverMeetsTheLimit() {
        ChallengeBudget b = new ChallengeBudget(1, 3); // the strictest setting
        for (long ms = 0; ms < 60_000; ms += 1_000) assertTrue(b.take(A, ms), "resend at " + ms + " ms");
    }

    @Test
    void anyClockEpochAndBackwardJumps() {
        ChallengeBudget b = new ChallengeBudget(20, 9);
        assertEquals(20, taken(b, A, -5_000_000, 1_000), "a negative clock (any epoch) starts with a full budget");
        assertFalse(b.take(A, -5_000_000));
        assertEquals(20, taken(b, A, -5_000_000 - 3_600_000, 1_000), "an hour back in time: a full budget again, not an hour of silence");
        assertEquals(0, taken(b, A, -5_000_000 - 3_600_000, 1_000));
        assertEquals(1, taken(b, A, -5_000_000 - 3_600_000 + 50, 1_000), "and the rate from there");
    }

    @Test
    void nonPositiveRatesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ChallengeBudget(0, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Settings.defaults().withChallengesPerAddress(-1));
        assertTrue(e.getMessage().contains("challengesPerAddress"), e.getMessage());
    }
}
