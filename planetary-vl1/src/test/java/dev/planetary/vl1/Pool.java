package dev.planetary.vl1;

import dev.planetary.identity.SecretIdentity;
import java.security.SecureRandom;
import java.util.ArrayList;

/**
 * Identities for the engine tests, generated once per JVM (≈ 1 s each: Argon2id, 64 tries
 * expected) and shared by every test class and seed.
 */
final class Pool {
    static final int SIZE = 7;
    private static java.util.List<SecretIdentity> ids;

    private Pool() {}

    /** Identity {@code i}, generating the pool up to it on first use. */
    static synchronized SecretIdentity get(int i) {
        if (i < 0 || i >= SIZE) throw new IllegalArgumentException("pool index " + i + " outside 0.." + (SIZE - 1));
        if (ids == null) ids = new ArrayList<>();
        SecureRandom r = new SecureRandom();
        while (ids.size() <= i) ids.add(SecretIdentity.generate(r, Math.max(1, Runtime.getRuntime().availableProcessors())));
        return ids.get(i);
    }
}
