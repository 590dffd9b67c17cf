package dev.planetary.controller;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fixed per-second budgets keyed by member, network or source prefix (VL.md §7.5 "Limits"),
 * bounded: beyond {@link ControllerLimits#MAX_RATE_ENTRIES} keys the least recently used is
 * forgotten (which can only let a forgotten key through once more, never block one).
 */
final class RateLimiter<K> {
    private final int perSecond;
    private final Map<K, long[]> windows = lru(ControllerLimits.MAX_RATE_ENTRIES);

    /** A map in access order that forgets its least recently used entry beyond {@code max} entries. */
    static <K, V> Map<K, V> lru(int max) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > max;
            }
        };
    }

    RateLimiter(int perSecond) {
        this.perSecond = perSecond;
    }

    /** True (and counted) if {@code key} has budget left in the second of {@code now}. */
    boolean tryAcquire(K key, long now) {
        if (!allowed(key, now)) return false;
        windows.get(key)[1]++;
        return true;
    }

    /** True if {@code key} has budget left, without using it. */
    boolean allowed(K key, long now) {
        long second = Math.floorDiv(now, 1000);
        long[] w = windows.computeIfAbsent(key, k -> new long[] {second, 0});
        if (w[0] != second) {
            w[0] = second;
            w[1] = 0;
        }
        return w[1] < perSecond;
    }

    int size() {
        return windows.size();
    }
}
