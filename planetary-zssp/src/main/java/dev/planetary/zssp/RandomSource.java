package dev.planetary.zssp;

import java.security.SecureRandom;

/**
 * Where the engine gets its randomness: ephemeral keys, key ids, challenge values, timer jitter.
 *
 * <p>Production code uses {@link #secure()}, backed by the platform CSPRNG. Tests replay the draws
 * recorded from the Rust reference, so the three methods mirror the reference's draw kinds
 * ({@code next_u32}, {@code next_u64}, {@code fill_bytes}); implementations must be safe for use by
 * several threads if the engine they are given to is.
 */
public interface RandomSource {

    /** Fills {@code out[off, off+len)} with random bytes (the reference's {@code fill_bytes}). */
    void nextBytes(byte[] out, int off, int len);

    /** A uniformly random 32-bit value (the reference's {@code next_u32}). */
    int nextInt();

    /** A uniformly random 64-bit value (the reference's {@code next_u64}). */
    long nextLong();

    /** Fills all of {@code out}. */
    default void nextBytes(byte[] out) {
        nextBytes(out, 0, out.length);
    }

    /** A fresh array of {@code len} random bytes. */
    default byte[] bytes(int len) {
        byte[] b = new byte[len];
        nextBytes(b, 0, len);
        return b;
    }

    /** The platform CSPRNG ({@link SecureRandom}, default algorithm, self-seeded). */
    static RandomSource secure() {
        return new SecureRandomSource(new SecureRandom());
    }

    /** Adapts a caller-supplied {@link SecureRandom}. */
    static RandomSource of(SecureRandom random) {
        if (random == null) throw new NullPointerException("random must not be null");
        return new SecureRandomSource(random);
    }
}
