package dev.planetary.vl1.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The root's handshake admission: a global budget, fairly shared, that a quiet prefix always gets into. */
class HandshakeAdmissionTest {
    private static final int RATE = 64;

    @Test
    void aFloodFromManyPrefixesGetsAtMostTheBudget() {
        HandshakeAdmission a = new HandshakeAdmission(RATE, 4096, 10_000, 0);
        int admitted = 0;
        for (long t = 0; t < 10_000; t++) admitted += a.admit("f" + (t % 256), t) ? 1 : 0; // 1,000/s
        assertTrue(admitted <= RATE * 10 + RATE, "admitted " + admitted + " in 10 s at a budget of " + RATE + "/s");
        assertTrue(admitted >= RATE * 10 * 3 / 4, "the budget is used, not starved: " + admitted);
        assertTrue(a.refused() > 8_000, "most of the flood is refused: " + a.refused());
    }

    @Test
    void aQuietPrefixIsAdmittedAtOnceUnderAFlood() {
        HandshakeAdmission a = new HandshakeAdmission(RATE, 4096, 10_000, 0);
        for (long t = 0; t < 5_000; t++) a.admit("f" + (t % 256), t); // saturated: 1,000/s from 256 prefixes
        assertTrue(a.admit("legit", 5_000), "the first Hello of a quiet prefix is admitted");
        // and it keeps its share (3/4 of the budget over 257 prefixes ≈ one Hello per 5.4 s) while the flood goes on
        int legitAdmitted = 0;
        for (long t = 5_001; t < 17_000; t++) {
            boolean mine = t % 1000 == 0 && a.admit("legit", t);
            legitAdmitted += mine ? 1 : 0;
            a.admit("f" + (t % 256), t);
        }
        assertTrue(legitAdmitted >= 2, "a resending quiet prefix keeps getting admitted: " + legitAdmitted);
    }

    @Test
    void burstsOfContendingPrefixesLeaveTheNewcomersReserve() {
        HandshakeAdmission a = new HandshakeAdmission(RATE, 4096, 10_000, 0);
        // 256 prefixes whose resent Hellos arrive together once a second (initiators' 1-s resend timers in step):
        // each refused prefix saves a token, and together they would empty the bucket at every burst
        for (long t = 0; t <= 6_000; t += 1_000) for (int p = 0; p < 256; p++) a.admit("f" + p, t);
        assertTrue(a.admit("legit", 6_000), "a newcomer's first Hello right after a burst is admitted");
        assertTrue(a.admitted() <= RATE * 7L + 1, "the bursts still got at most the budget: " + a.admitted());
    }

    @Test
    void withoutContentionEverythingIsAdmittedAndTheTableIsBounded() {
        HandshakeAdmission a = new HandshakeAdmission(RATE, 16, 10_000, 0);
        for (int i = 0; i < 20; i++) assertTrue(a.admit("p" + i, i * 100L), "light load is never refused");
        assertEquals(16, a.prefixes(), "at most maxPrefixes records");
        HandshakeAdmission b = new HandshakeAdmission(RATE, 4096, 1_000, 0);
        b.admit("x", 0);
        b.admit("y", 5_000);
        assertEquals(1, b.prefixes(), "prefixes silent for the window are forgotten");
        assertThrows(IllegalArgumentException.class, () -> new HandshakeAdmission(1, 16, 1, 0));
    }
}
