package dev.planetary.controller;

import java.util.Map;

/**
 * Per-key token buckets (VL.md §10.3 budgets, ours): {@code rate} tokens per second up to
 * {@code burst}; bounded like {@link RateLimiter} (beyond {@link ControllerLimits#MAX_RATE_ENTRIES}
 * keys the least recently used is forgotten, which can only let a forgotten key through once more).
 */
final class TokenBucket<K> {
    private final int rate, burst;
    /** key → {tokens × 1000 (milli-tokens), time of the last refill in ms}. */
    private final Map<K, long[]> buckets = RateLimiter.lru(ControllerLimits.MAX_RATE_ENTRIES);

    TokenBucket(int rate, int burst) {
        if (rate < 1 || burst < 1) throw new IllegalArgumentException("a token bucket needs rate ≥ 1 and burst ≥ 1, got " + rate + ", " + burst);
        this.rate = rate;
        this.burst = burst;
    }

    /** Takes one token of {@code key} at {@code now} (ms); false if its bucket is empty. */
    boolean tryAcquire(K key, long now) {
        long[] b = buckets.computeIfAbsent(key, k -> new long[] {burst * 1000L, now});
        long elapsed = Math.min(burst * 1000L, Math.max(0, now - b[1])); // a clock going back refills nothing; capped (no overflow)
        b[0] = Math.min(burst * 1000L, b[0] + elapsed * rate);
        b[1] = Math.max(b[1], now);
        if (b[0] < 1000) return false;
        b[0] -= 1000;
        return true;
    }

    int size() {
        return buckets.size();
    }
}
