package dev.planetary.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.zssp.StaticKeyPair;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The Hello-rate estimator and the on/off decisions of auto-challenge, on a synthetic clock. */
class AutoChallengeTest {
    static final long MS = 1_000_000L;

    /** Feeds {@code perSecond} Hellos/s, one every 10 ms, from {@code t} for {@code ms}; returns the transitions seen. */
    static String feed(AutoChallenge a, long[] t, double perSecond, long ms) {
        StringBuilder b = new StringBuilder();
        double carry = 0;
        for (long i = 0; i < ms; i += 10) {
            t[0] += 10 * MS;
            carry += perSecond / 100;
            long n = (long) carry;
            carry -= n;
            AutoChallenge.Transition tr = n > 0 ? a.record(n, t[0]) : a.tick(t[0]);
            if (tr != AutoChallenge.Transition.NONE) b.append(tr).append('@').append((t[0] / MS)).append(' ');
        }
        return b.toString().trim();
    }

    @Test
    void belowTheThresholdTheChallengeStaysOff() {
        AutoChallenge a = new AutoChallenge(100, 1000 * MS);
        long[] t = {0};
        assertEquals("", feed(a, t, 90, 10_000));
        assertFalse(a.active());
        assertEquals(90, a.rate(t[0]), 12);
    }

    @Test
    void crossingTheThresholdTurnsItOnWithinAWindow() {
        AutoChallenge a = new AutoChallenge(100, 1000 * MS);
        long[] t = {0};
        feed(a, t, 10, 3000);
        String on = feed(a, t, 5000, 1000);
        assertTrue(on.startsWith("ON@"), on);
        long at = Long.parseLong(on.substring(3));
        assertTrue(at - 3000 <= 100, "a flood of 50x the threshold is noticed within 100 ms: " + on);
        assertTrue(a.active());
    }

    @Test
    void hysteresisKeepsItOnBetweenHalfAndFullRateAndOffBelowHalf() {
        AutoChallenge a = new AutoChallenge(100, 1000 * MS);
        long[] t = {0};
        assertEquals("ON", feed(a, t, 1000, 2000).replaceAll("@.*", ""));
        assertEquals("", feed(a, t, 60, 10_000), "60/s is under the threshold but above half of it: stays on (no flapping)");
        assertTrue(a.active());
        String off = feed(a, t, 20, 3000);
        assertTrue(off.startsWith("OFF@"), off);
        assertFalse(a.active());
        assertEquals("", feed(a, t, 60, 10_000), "and off it stays until the threshold is crossed again");
    }

    @Test
    void aShortBurstTurnsItOnForAtLeastOneWindow() {
        AutoChallenge a = new AutoChallenge(100, 1000 * MS);
        long[] t = {0};
        a.record(500, t[0] += 10 * MS); // one burst
        assertTrue(a.active());
        String rest = feed(a, t, 0, 5000);
        assertTrue(rest.startsWith("OFF@"), rest);
        long offAt = Long.parseLong(rest.substring(4));
        assertTrue(offAt >= 1000, "not before a window has passed: " + rest);
    }

    @Test
    void aQuietPeriodLongerThanTheWindowForgetsEverything() {
        AutoChallenge a = new AutoChallenge(100, 1000 * MS);
        a.record(99, 0);
        assertEquals(AutoChallenge.Transition.NONE, a.record(0, 5000 * MS));
        assertEquals(0, a.rate(5000 * MS));
        assertEquals(AutoChallenge.Transition.NONE, a.record(99, 5001 * MS), "the old 99 do not add to the new 99");
    }

    @Test
    void builderRejectsNonsense() {
        Endpoint.Builder b = Endpoint.builder().bind(new InetSocketAddress("127.0.0.1", 0)).identity(StaticKeyPair.generate());
        assertThrows(IllegalArgumentException.class, () -> b.autoChallenge(0));
        assertThrows(IllegalArgumentException.class, () -> b.autoChallenge(-5));
        assertThrows(IllegalArgumentException.class, () -> b.autoChallenge(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> b.autoChallenge(Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> b.autoChallenge(10, Duration.ofMillis(5)));
    }

    @Test
    void aManualChallengeStaysOnWhateverTheRate() throws Exception {
        try (Endpoint e = Endpoint.builder().bind(new InetSocketAddress("127.0.0.1", 0)).identity(StaticKeyPair.generate())
                .challenge(true).autoChallenge(100, Duration.ofMillis(100)).build()) {
            assertTrue(e.challengeEnabled());
            assertFalse(e.autoChallengeActive());
            Thread.sleep(300); // timer ticks with no Hellos
            assertTrue(e.challengeEnabled(), "auto-challenge only adds to the manual setting");
            e.setChallengeEnabled(false);
            assertFalse(e.challengeEnabled());
        }
    }
}
