package dev.planetary.zssp;

import dev.planetary.zssp.crypto.ZsspConstants;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The per-session anti-replay window (spec §7.8): 128 slots, slot {@code c mod 128} holds
 * {@code c + 1} of the newest counter accepted there; a counter is fresh iff
 * {@code slot < c + 1 ≤ slot + 2^24} (unsigned). Lock-free: {@link #update} is a CAS loop, so many
 * receive threads may use one window.
 *
 * <p>Memory (docs/architecture.md, "Memory per session"): the slots are 32-bit while every value
 * is below 2^32 − 1 (a session's first four billion counters: 528 bytes instead of 1,040), and are
 * widened to 64 bits for good when an accepted counter needs more. Widening freezes each narrow slot
 * ({@link #FROZEN}, never a narrow value) while copying it, so an update racing with it either
 * landed before the copy or fails its CAS and retries on the wide array: the rule above holds
 * exactly across the change.
 */
final class ReplayWindow {
    private static final int MASK = ZsspConstants.REPLAY_WINDOW - 1;
    /** A narrow slot being copied to the wide array (0xFFFFFFFF: narrow values are below it). */
    private static final int FROZEN = -1;
    /** The first slot value that needs the wide array. */
    private static final long NARROW_LIMIT = 0xFFFF_FFFFL;
    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    /** The slots while narrow; null once {@link #wide} is published. */
    private volatile int[] narrow = new int[ZsspConstants.REPLAY_WINDOW];
    /** The slots once widened; null before. */
    private volatile long[] wide;

    /** The fragment-layer test; changes nothing. */
    boolean check(long counter) {
        return fresh(slot((int) counter & MASK), next(counter));
    }

    /** The final step after authentication: records the counter iff it is still fresh. */
    boolean update(long counter) {
        int i = (int) counter & MASK;
        long a = next(counter);
        while (true) {
            long[] w = wide;
            if (w != null) {
                long s = (long) LONGS.getVolatile(w, i);
                if (!fresh(s, a)) return false;
                if (LONGS.compareAndSet(w, i, s, a)) return true;
                continue;
            }
            int[] n = narrow;
            if (n == null) continue; // widened between the two reads
            int v = (int) INTS.getVolatile(n, i);
            if (v == FROZEN) { // being widened: wait for the wide array
                Thread.onSpinWait();
                continue;
            }
            if (!fresh(Integer.toUnsignedLong(v), a)) return false;
            if (Long.compareUnsigned(a, NARROW_LIMIT) >= 0) {
                widen();
                continue;
            }
            if (INTS.compareAndSet(n, i, v, (int) a)) return true;
        }
    }

    /** Sets slot {@code i} to {@code value} directly (tests: a window as if those counters had been received). */
    void preset(int i, long value) {
        if (Long.compareUnsigned(value, NARROW_LIMIT) >= 0) widen();
        long[] w = wide;
        if (w != null) LONGS.setVolatile(w, i, value);
        else INTS.setVolatile(narrow, i, (int) value);
    }

    /** True once the slots are 64-bit (tests). */
    boolean isWide() {
        return wide != null;
    }

    private long slot(int i) {
        while (true) {
            long[] w = wide;
            if (w != null) return (long) LONGS.getVolatile(w, i);
            int[] n = narrow;
            if (n != null) {
                int v = (int) INTS.getVolatile(n, i);
                if (v != FROZEN) return Integer.toUnsignedLong(v);
            }
            Thread.onSpinWait();
        }
    }

    /** Moves the slots to 64 bits, once; concurrent updates wait on the frozen slots meanwhile. */
    private synchronized void widen() {
        if (wide != null) return;
        int[] n = narrow;
        long[] w = new long[n.length];
        for (int i = 0; i < n.length; i++) w[i] = Integer.toUnsignedLong((int) INTS.getAndSet(n, i, FROZEN));
        wide = w;
        narrow = null;
    }

    /** {@code c + 1}, saturating at 2^64 − 1 as the reference does. */
    private static long next(long c) {
        return c == -1L ? -1L : c + 1;
    }

    private static boolean fresh(long s, long a) {
        return Long.compareUnsigned(s, a) < 0 && Long.compareUnsigned(a - s, ZsspConstants.MAX_COUNTER_SKIP) <= 0;
    }
}
