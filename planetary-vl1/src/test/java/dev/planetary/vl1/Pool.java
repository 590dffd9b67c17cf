package dev.planetary.vl1;

import dev.planetary.identity.SecretIdentity;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * Identities for the engine tests, generated once per JVM (≈ 1 s each: Argon2id, 64 tries
 * expected) and shared by every test class and seed.
 */
final class Pool {
    static final int SIZE = 7;
    private static List<SecretIdentity> ids;

    private Pool() {}

    static synchronized SecretIdentity get(int i) {
        if (ids == null) {
            List<SecretIdentity> l = new ArrayList<>();
            SecureRandom r = new SecureRandom();
            for (int k = 0; k < SIZE; k++) l.add(SecretIdentity.generate(r, Math.max(1, Runtime.getRuntime().availableProcessors())));
            ids = l;
        }
        return ids.get(i);
    }
}
