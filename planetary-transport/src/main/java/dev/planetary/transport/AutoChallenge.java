package dev.planetary.transport;

/**
 * The incoming-Hello rate over a sliding window, and the decision to turn the challenge (ZCP,
 * spec §9) on and off from it: the whitepaper's advice to challenge only under load.
 *
 * <p>The window is split into {@value #BUCKETS} buckets; the rate is the number of Hellos in the
 * buckets covering the last window, divided by the window. The challenge turns <b>on</b> as soon as
 * that rate reaches {@code onRate}, and <b>off</b> again only when it has stayed below
 * {@code onRate / 2} (hysteresis) and at least one full window has passed since it turned on, so a
 * flood hovering around the threshold does not make it flap. Challenged Hellos count too: while an
 * attacker keeps flooding, the challenge stays on.
 *
 * <p>Thread-safe (a small lock; called from the plane threads for each datagram that completed a
 * Hello and from the timer thread to notice a quiet period).
 */
final class AutoChallenge {
    static final int BUCKETS = 10;

    enum Transition { NONE, ON, OFF }

    private final double onRate;
    private final double offRate;
    private final long windowNanos;
    private final long bucketNanos;
    private final long[] counts = new long[BUCKETS];
    /** Absolute index (time / bucketNanos) of the newest bucket. */
    private long newest;
    private boolean started;
    private boolean active;
    private long activatedAt;

    /**
     * @param onRate Hellos per second at which the challenge turns on ({@code +∞} = rate only, never on)
     * @param windowNanos the sliding window
     */
    AutoChallenge(double onRate, long windowNanos) {
        if (!(onRate > 0)) throw new IllegalArgumentException("auto-challenge rate must be positive, got " + onRate);
        if (windowNanos < BUCKETS * 1_000_000L) throw new IllegalArgumentException("auto-challenge window must be at least " + BUCKETS + " ms");
        this.onRate = onRate;
        this.offRate = onRate / 2;
        this.windowNanos = windowNanos;
        this.bucketNanos = windowNanos / BUCKETS;
    }

    /** Records {@code hellos} Hellos completed at {@code nowNanos} and evaluates the thresholds. */
    synchronized Transition record(long hellos, long nowNanos) {
        advance(nowNanos);
        counts[(int) Math.floorMod(newest, (long) BUCKETS)] += hellos;
        return evaluate(nowNanos);
    }

    /** Evaluates the thresholds without new Hellos (so a quiet period turns the challenge off). */
    synchronized Transition tick(long nowNanos) {
        advance(nowNanos);
        return evaluate(nowNanos);
    }

    /** Hellos per second over the last window. */
    synchronized double rate(long nowNanos) {
        advance(nowNanos);
        return ratePerSecond();
    }

    synchronized boolean active() {
        return active;
    }

    double onRate() {
        return onRate;
    }

    long windowNanos() {
        return windowNanos;
    }

    /** How often {@link #tick} should run for a timely switch-off. */
    long bucketNanos() {
        return bucketNanos;
    }

    private double ratePerSecond() {
        long sum = 0;
        for (long c : counts) sum += c;
        return sum * 1e9 / windowNanos;
    }

    private Transition evaluate(long nowNanos) {
        double r = ratePerSecond();
        if (!active && r >= onRate) {
            active = true;
            activatedAt = nowNanos;
            return Transition.ON;
        }
        if (active && r < offRate && nowNanos - activatedAt >= windowNanos) {
            active = false;
            return Transition.OFF;
        }
        return Transition.NONE;
    }

    private void advance(long nowNanos) {
        long idx = Math.floorDiv(nowNanos, bucketNanos);
        if (!started) {
            started = true;
            newest = idx;
            return;
        }
        if (idx <= newest) return; // same bucket (or a clock that did not move)
        long steps = Math.min(idx - newest, BUCKETS);
        for (long i = 1; i <= steps; i++) counts[(int) Math.floorMod(newest + i, (long) BUCKETS)] = 0;
        newest = idx;
    }
}
