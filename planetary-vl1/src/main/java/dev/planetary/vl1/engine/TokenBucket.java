package dev.planetary.vl1.engine;

/**
 * A token bucket on the caller's millisecond clock: {@code rate} tokens per second, at most
 * {@code burst} stored. Not thread-safe (the engine is single-threaded per node).
 */
public final class TokenBucket {
    private final double ratePerMs;
    private final double burst;
    private double tokens;
    private long last;

    public TokenBucket(double ratePerSecond, double burst, long now) {
        if (!(ratePerSecond > 0) || !(burst >= 1)) throw new IllegalArgumentException("rate must be > 0 and burst ≥ 1");
        this.ratePerMs = ratePerSecond / 1000.0;
        this.burst = burst;
        this.tokens = burst;
        this.last = now;
    }

    /** Takes {@code n} tokens if available. */
    public boolean take(double n, long now) {
        refill(now);
        if (tokens < n) return false;
        tokens -= n;
        return true;
    }

    public boolean take(long now) {
        return take(1, now);
    }

    /** Tokens stored now (fractional). */
    public double available(long now) {
        refill(now);
        return tokens;
    }

    /** Milliseconds until one token is available (0 if now). */
    public long waitFor(long now) {
        refill(now);
        return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / ratePerMs);
    }

    private void refill(long now) {
        if (now > last) {
            tokens = Math.min(burst, tokens + (now - last) * ratePerMs);
            last = now;
        }
    }
}
