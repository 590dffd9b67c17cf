package dev.planetary.vl1;

import dev.planetary.identity.Decoded;
import dev.planetary.identity.IdentityText;
import dev.planetary.identity.SecretIdentity;
import java.security.SecureRandom;
import java.util.ArrayList;

/**
 * Identities for the engine tests, shared by every test class and seed: fixed ones from the test
 * resource pool-identities.txt (an Argon2id proof of work costs ≈ 1 s of both cores, 64 tries
 * expected: made once, not at every run), generated once per JVM past the end of that file.
 */
final class Pool {
    static final int SIZE = 7;
    private static java.util.List<SecretIdentity> ids;

    private Pool() {}

    /** Identity {@code i}, generating the pool up to it on first use. */
    static synchronized SecretIdentity get(int i) {
        if (i < 0 || i >= SIZE) throw new IllegalArgumentException("pool index " + i + " outside 0.." + (SIZE - 1));
        if (ids == null) ids = new ArrayList<>();
        if (ids.isEmpty()) ids.addAll(fixed());
        SecureRandom r = new SecureRandom();
        while (ids.size() <= i) ids.add(SecretIdentity.generate(r, Math.max(1, Runtime.getRuntime().availableProcessors())));
        return ids.get(i);
    }

    private static java.util.List<SecretIdentity> fixed() {
        try (var in = Pool.class.getResourceAsStream("/pool-identities.txt")) {
            if (in == null) return java.util.List.of();
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
                    .map(l -> ((Decoded.Ok<SecretIdentity>) IdentityText.parseSecret(l)).value()).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
