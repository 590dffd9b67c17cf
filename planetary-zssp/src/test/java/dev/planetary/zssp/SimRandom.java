package dev.planetary.zssp;

import java.util.SplittableRandom;

/**
 * A seeded {@link RandomSource} for simulations: every key, key id and jitter a Context draws comes
 * from one {@link SplittableRandom}, so a seed replays a run exactly. Not cryptographically secure;
 * tests only.
 */
final class SimRandom implements RandomSource {
    private final SplittableRandom random;

    SimRandom(long seed) {
        this.random = new SplittableRandom(seed);
    }

    @Override
    public synchronized void nextBytes(byte[] out, int off, int len) {
        for (int i = 0; i < len; i++) out[off + i] = (byte) random.nextInt();
    }

    @Override
    public synchronized int nextInt() {
        return random.nextInt();
    }

    @Override
    public synchronized long nextLong() {
        return random.nextLong();
    }
}
