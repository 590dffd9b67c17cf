package dev.planetary.zssp;

import dev.planetary.zssp.crypto.ZsspConstants;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The per-session anti-replay window (spec §7.8): 128 slots, slot {@code c mod 128} holds
 * {@code c + 1} of the newest counter accepted there; a counter is fresh iff
 * {@code slot < c + 1 ≤ slot + 2^24} (unsigned). Lock-free: {@link #update} is a CAS loop, so many
 * receive threads may use one window.
 */
final class ReplayWindow {
    private static final int MASK = ZsspConstants.REPLAY_WINDOW - 1;
    private final AtomicLongArray slots = new AtomicLongArray(ZsspConstants.REPLAY_WINDOW);

    /** The fragment-layer test; changes nothing. */
    boolean check(long counter) {
        return fresh(slots.get((int) counter & MASK), next(counter));
    }

    /** The final step after authentication: records the counter iff it is still fresh. */
    boolean update(long counter) {
        int i = (int) counter & MASK;
        long a = next(counter);
        while (true) {
            long s = slots.get(i);
            if (!fresh(s, a)) return false;
            if (slots.compareAndSet(i, s, a)) return true;
        }
    }

    /** {@code c + 1}, saturating at 2^64 − 1 as the reference does. */
    private static long next(long c) {
        return c == -1L ? -1L : c + 1;
    }

    private static boolean fresh(long s, long a) {
        return Long.compareUnsigned(s, a) < 0 && Long.compareUnsigned(a - s, ZsspConstants.MAX_COUNTER_SKIP) <= 0;
    }
}
