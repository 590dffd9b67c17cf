package dev.planetary.vl1.sim;

/**
 * Impairments of one simulated link, applied per datagram and per direction.
 *
 * @param latencyMs       fixed one-way delay
 * @param jitterMs        extra delay, uniform in {@code [0, jitterMs]}
 * @param loss            probability that a datagram is lost
 * @param duplicate       probability that a datagram that was not lost arrives twice (each copy delayed independently)
 * @param reorder         probability that a copy is held back by an extra delay, uniform in {@code [1, reorderDelayMs]}
 * @param reorderDelayMs  the hold-back bound for reordered copies
 */
public record LinkProfile(long latencyMs, long jitterMs, double loss, double duplicate, double reorder, long reorderDelayMs) {

    public LinkProfile {
        if (latencyMs < 0 || jitterMs < 0 || reorderDelayMs < 0) throw new IllegalArgumentException("delays must be ≥ 0");
        checkProbability(loss, "loss");
        checkProbability(duplicate, "duplicate");
        checkProbability(reorder, "reorder");
    }

    private static void checkProbability(double p, String what) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException(what + " probability " + p + " is outside [0, 1]");
    }

    /** A clean link with a fixed one-way latency. */
    public static LinkProfile latency(long ms) {
        return new LinkProfile(ms, 0, 0, 0, 0, 0);
    }

    public LinkProfile withJitter(long ms) {
        return new LinkProfile(latencyMs, ms, loss, duplicate, reorder, reorderDelayMs);
    }

    public LinkProfile withLoss(double p) {
        return new LinkProfile(latencyMs, jitterMs, p, duplicate, reorder, reorderDelayMs);
    }

    public LinkProfile withDuplication(double p) {
        return new LinkProfile(latencyMs, jitterMs, loss, p, reorder, reorderDelayMs);
    }

    public LinkProfile withReordering(double p, long delayMs) {
        return new LinkProfile(latencyMs, jitterMs, loss, duplicate, p, delayMs);
    }
}
