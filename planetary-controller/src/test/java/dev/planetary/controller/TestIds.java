package dev.planetary.controller;

import dev.planetary.identity.SecretIdentity;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/** Identities for the controller tests, generated once per JVM (≈ 1 s each: Argon2id) and shared. */
final class TestIds {
    private static final List<SecretIdentity> IDS = new ArrayList<>();

    private TestIds() {}

    static synchronized SecretIdentity get(int i) {
        SecureRandom r = new SecureRandom();
        while (IDS.size() <= i) IDS.add(SecretIdentity.generate(r, Math.max(1, Runtime.getRuntime().availableProcessors())));
        return IDS.get(i);
    }
}
