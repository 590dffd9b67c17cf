package dev.planetary.vl1;

import dev.planetary.zssp.RandomSource;
import java.util.SplittableRandom;

/** A {@link RandomSource} from a seeded stream: engines in the simulator depend on the seed only. */
final class SeededRandom implements RandomSource {
    private final SplittableRandom r;

    SeededRandom(long seed) {
        this.r = new SplittableRandom(seed);
    }

    @Override
    public void nextBytes(byte[] out, int off, int len) {
        for (int i = 0; i < len; i++) out[off + i] = (byte) r.nextInt(256);
    }

    @Override
    public int nextInt() {
        return r.nextInt();
    }

    @Override
    public long nextLong() {
        return r.nextLong();
    }
}
