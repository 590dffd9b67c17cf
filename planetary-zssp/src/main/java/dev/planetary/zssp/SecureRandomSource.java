package dev.planetary.zssp;

import java.security.SecureRandom;
import java.util.Objects;

/** {@link RandomSource} over a {@link SecureRandom} (which is thread-safe). */
final class SecureRandomSource implements RandomSource {
    private final SecureRandom random;

    SecureRandomSource(SecureRandom random) {
        this.random = Objects.requireNonNull(random);
    }

    @Override
    public void nextBytes(byte[] out, int off, int len) {
        Objects.checkFromIndexSize(off, len, out.length);
        if (off == 0 && len == out.length) {
            random.nextBytes(out);
        } else {
            byte[] tmp = new byte[len];
            random.nextBytes(tmp);
            System.arraycopy(tmp, 0, out, off, len);
        }
    }

    @Override
    public int nextInt() {
        return random.nextInt();
    }

    @Override
    public long nextLong() {
        return random.nextLong();
    }

    @Override
    public String toString() {
        return "RandomSource[" + random.getAlgorithm() + "]";
    }
}
